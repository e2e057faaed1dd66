// Every test builds its own data and temporary folders, so methods can run side by side.
[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]
