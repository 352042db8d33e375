/*
 * main: terraform-provider-lambda's entry point. It names the provider's
 * resources and hands the process to the plugin SDK (tfp_serve.h).
 */
#include <stdio.h>

#include "resources.h"
#include "tfp_serve.h"

#ifndef TFP_VERSION
#define TFP_VERSION "0.0.0"
#endif

static void usage(const char *argv0)
{
    fprintf(stderr,
            "This binary is a plugin for Terraform: the provider lambdapack/lambda\n"
            "(registry.terraform.io/lambdapack/lambda, version %s). It is not meant to be\n"
            "run directly; Terraform starts it.\n"
            "\n"
            "To use it, declare it in your configuration\n"
            "\n"
            "  terraform {\n"
            "    required_providers {\n"
            "      lambda = { source = \"lambdapack/lambda\" }\n"
            "    }\n"
            "  }\n"
            "\n"
            "and let Terraform find this binary, either through a CLI configuration file\n"
            "(TF_CLI_CONFIG_FILE) with a filesystem_mirror that holds it as\n"
            "  <dir>/registry.terraform.io/lambdapack/lambda/%s/linux_amd64/"
            "terraform-provider-lambda_v%s\n"
            "followed by `terraform init`, or with dev_overrides pointing at the directory\n"
            "that contains %s. See README.md for both set-ups.\n"
            "\n"
            "Options: --version, --help, --debug (serve for TF_REATTACH_PROVIDERS, for\n"
            "developers).\n",
            TFP_VERSION, TFP_VERSION, TFP_VERSION, argv0);
}

int main(int argc, char **argv)
{
    static const tfp_resource_type *resources[1];
    resources[0] = resource_package_type();
    const tfp_provider_def def = {.resources = resources, .n_resources = 1};
    tfp_serve_options opts = TFP_SERVE_OPTIONS_INIT;
    opts.argc = argc;
    opts.argv = argv;
    opts.name = "terraform-provider-lambda";
    opts.release = TFP_VERSION;
    opts.registry_address = "registry.terraform.io/lambdapack/lambda";
    opts.usage = usage;
    return tfp_serve(&def, &opts);
}
