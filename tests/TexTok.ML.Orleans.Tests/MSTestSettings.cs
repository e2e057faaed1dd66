// The clusters and TorchSharp share process state (ports, native thread pools); run the tests one at a time.
[assembly: DoNotParallelize]
