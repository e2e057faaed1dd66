namespace TexTok.ML.Onnx.Tests;

[TestClass]
public sealed class ProtoWriterTests
{
    [TestMethod]
    public void VarintsUseTheWireFormat()
    {
        var w = new ProtoWriter();
        w.WriteInt64(1, 300);
        CollectionAssert.AreEqual(new byte[] { 0x08, 0xAC, 0x02 }, w.ToArray());

        w = new ProtoWriter();
        w.WriteInt64(2, -1);
        var bytes = w.ToArray();
        Assert.HasCount(11, bytes, "negative int64 is a 10-byte varint after the tag");
        Assert.AreEqual(0x10, bytes[0]);
        Assert.AreEqual(0x01, bytes[^1]);

        w = new ProtoWriter();
        w.WriteInt64(20, 7);
        CollectionAssert.AreEqual(new byte[] { 0xA0, 0x01, 0x07 }, w.ToArray(), "field numbers above 15 take a two-byte tag");
    }

    [TestMethod]
    public void LengthDelimitedAndFixedFieldsUseTheWireFormat()
    {
        var inner = new ProtoWriter();
        inner.WriteString(1, "ab");
        var w = new ProtoWriter();
        w.WriteMessage(7, inner);
        w.WriteFloat(2, 1f);
        w.WritePackedInt64(8, [1, 2]);
        CollectionAssert.AreEqual(
            new byte[] { 0x3A, 0x04, 0x0A, 0x02, (byte)'a', (byte)'b', 0x15, 0x00, 0x00, 0x80, 0x3F, 0x42, 0x02, 0x01, 0x02 },
            w.ToArray());
    }
}
