// Provides std::ios_base_library_init() (GLIBCXX_3.4.32, introduced with GCC 13) for systems whose libstdc++ is
// older. GCC 13 objects call it once per translation unit that includes <iostream>, to make sure the standard
// streams are constructed; on an older libstdc++ constructing an ios_base::Init object does the same job.
#include <ios>

namespace std
{
    void ios_base_library_init()
    {
        static ios_base::Init init;
    }
}
