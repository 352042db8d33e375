/*
 * libFuzzer target for the RPC layer with the real lambda_package resource:
 * the first byte picks an RPC without side effects on the filesystem
 * (schema, validation, state upgrade), the rest is the protobuf request as
 * Terraform would send it. Any input must give a reply or an error status,
 * never a crash, a leak or UB.
 */
#include <stdint.h>
#include <stdlib.h>

#include "resources.h"
#include "tfp_provider_int.h"
#include "tfp_rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const rpcs[] = {
    "GetProviderSchema",
    "ValidateProviderConfig",
    "ValidateResourceConfig",
    "UpgradeResourceState",
    "GetMetadata",
    "ValidateDataResourceConfig",
    "GetFunctions",
    "StopProvider",
};

static tfp_provider *provider(void)
{
    static tfp_provider *p;
    if (p == NULL) {
        static const tfp_resource_type *resources[1];
        resources[0] = resource_package_type();
        static tfp_provider_def def;
        def.resources = resources;
        def.n_resources = 1;
        tfp_error err = TFP_ERROR_INIT;
        p = tfp_provider_new(&def, &err);
        if (p == NULL) {
            abort();
        }
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const char *rpc = rpcs[data[0] % (sizeof(rpcs) / sizeof(rpcs[0]))];
    tfp_server_reply reply = {0, NULL, 0, ""};
    tfp_rpc_handle(provider(), rpc, data + 1, size - 1, &reply);
    free(reply.data);
    return 0;
}
