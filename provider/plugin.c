/*
 * plugin: the serving program (terraform-provider-lambda-serve) that the
 * front binary (main.c) replaces itself with to serve. It names the
 * provider's resources and hands the process to the plugin SDK, which runs
 * the same command-line gate as the front, so it also serves when started
 * on its own.
 */
#include "provider_options.h"
#include "resources.h"
#include "tfp_serve.h"

int main(int argc, char **argv)
{
    static const tfp_resource_type *resources[1];
    resources[0] = resource_package_type();
    const tfp_provider_def def = {.resources = resources, .n_resources = 1};
    tfp_serve_options opts;
    provider_options(&opts, argc, argv);
    return tfp_serve(&def, &opts);
}
