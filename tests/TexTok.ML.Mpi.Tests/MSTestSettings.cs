// The MPI jobs use both cores; run the tests one at a time.
[assembly: DoNotParallelize]
