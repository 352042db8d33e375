/*
 * sdk_boundary_probe: a file outside provider/tfp/ that reaches for the
 * SDK's transport. It must not compile (tests/provider/CMakeLists.txt runs
 * the build and expects the boundary's #error).
 */
#if defined(PROBE_grpc)
#include <grpc/grpc.h>
#elif defined(PROBE_protobuf_c)
#include <protobuf-c/protobuf-c.h>
#elif defined(PROBE_tfplugin6)
#include "tfplugin6.pb-c.h"
#endif

#include "tfp_serve.h"

int main(void)
{
    return 0;
}
