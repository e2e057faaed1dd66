// TorchSharp tests share native state (thread pools, dispose scopes); run them one at a time.
[assembly: DoNotParallelize]
