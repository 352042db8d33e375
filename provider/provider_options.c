/*
 * provider_options: the options both programs of the plugin hand the SDK
 * (provider_options.h).
 */
#include "provider_options.h"

#include <stdio.h>

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
            "that contains %s. Either way, keep %s\n"
            "beside the binary: it is the program that serves Terraform. See README.md for\n"
            "both set-ups.\n"
            "\n"
            "Options: --version, --help, --debug (serve for TF_REATTACH_PROVIDERS, for\n"
            "developers).\n",
            TFP_VERSION, TFP_VERSION, TFP_VERSION, argv0, PROVIDER_SERVE_PROGRAM);
}

void provider_options(tfp_serve_options *opts, int argc, char **argv)
{
    *opts = (tfp_serve_options)TFP_SERVE_OPTIONS_INIT;
    opts->argc = argc;
    opts->argv = argv;
    opts->name = "terraform-provider-lambda";
    opts->release = TFP_VERSION;
    opts->registry_address = "registry.terraform.io/lambdapack/lambda";
    opts->usage = usage;
}
