/*
 * plugin: the serving library (libterraform-provider-lambda.so) that the
 * front binary (main.c) loads to serve. It names the provider's resources
 * and hands the process to the plugin SDK; nothing else is exported.
 */
#include "resources.h"
#include "tfp_serve.h"

#ifndef TFP_VERSION
#define TFP_VERSION "0.0.0"
#endif

const char tfp_plugin_release[] = TFP_VERSION;

int tfp_plugin_serve(const tfp_serve_options *opts)
{
    static const tfp_resource_type *resources[1];
    resources[0] = resource_package_type();
    const tfp_provider_def def = {.resources = resources, .n_resources = 1};
    return tfp_serve(&def, opts);
}
