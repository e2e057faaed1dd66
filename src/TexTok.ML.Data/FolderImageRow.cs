using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace TexTok.ML.Data;

/// <summary>A row of a <see cref="CaptionedImageFolder"/> view; the image file is decoded only when the Image column is read.</summary>
internal sealed class FolderImageRow(CaptionedImageFolder folder, int index)
{
    // ML.NET maps MLImage members only through this attribute, and its size-less form fails to register, so a
    // placeholder size is declared here and ImageSchema replaces it with the real column type.
    [ImageType(1, 1)]
    public MLImage Image => folder.DecodeImage(index);

    public string ImagePath => folder.Entries[index].ImagePath;

    public string Caption => folder.Entries[index].Caption;

    public int Label => folder.Entries[index].Label;

    public string LabelName => folder.Entries[index].LabelName;

    /// <summary>Wraps the folder's rows as a view whose Image column has no fixed size.</summary>
    public static IDataView CreateView(MLContext context, CaptionedImageFolder folder)
    {
        return context.Data.LoadFromEnumerable(
            Enumerable.Range(0, folder.Entries.Count).Select(i => new FolderImageRow(folder, i)),
            ImageSchema.For(typeof(FolderImageRow), 0, 0));
    }
}
