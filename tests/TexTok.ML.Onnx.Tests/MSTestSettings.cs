// TorchSharp tests share native state (seeds, thread pools); run them one at a time.
[assembly: DoNotParallelize]
