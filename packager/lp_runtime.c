/*
 * lp_runtime: Lambda runtime identifiers and the Python modules each runtime
 * has without the package (standard library, runtime-provided SDK).
 *
 * Pure lookups over static tables; it must not read files or allocate.
 *
 * The runtime identifiers follow the "Supported runtimes" and "Deprecated
 * runtimes" tables of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 * and the Runtime enum of the AWS SDKs (aws-sdk-go-v2 service/lambda/types,
 * e.g. RuntimePython313 = "python3.13", RuntimeProvidedal2023 =
 * "provided.al2023"), checked in November 2026. Runtimes retired before
 * python3.8/nodejs16.x are left out: Lambda no longer accepts them.
 *
 * The runtime-provided modules are what the Lambda Python runtimes put in
 * /var/runtime (the AWS SDK for Python and its dependencies, and the runtime
 * interface client): boto3, botocore, s3transfer, jmespath, dateutil
 * (python-dateutil), urllib3, six, awslambdaric. AWS documents that the
 * included SDK version may change; packages that pin it must vendor it.
 */
#include "lp_runtime.h"

#include <stdlib.h>
#include <string.h>

static const lp_runtime_info runtimes[] = {
    {"dotnet10", LP_RUNTIME_OTHER, 0, 0},        {"dotnet6", LP_RUNTIME_OTHER, 0, 1},
    {"dotnet8", LP_RUNTIME_OTHER, 0, 0},         {"go1.x", LP_RUNTIME_OTHER, 0, 1},
    {"java11", LP_RUNTIME_OTHER, 0, 0},          {"java17", LP_RUNTIME_OTHER, 0, 0},
    {"java21", LP_RUNTIME_OTHER, 0, 0},          {"java25", LP_RUNTIME_OTHER, 0, 0},
    {"java8.al2", LP_RUNTIME_OTHER, 0, 0},       {"nodejs16.x", LP_RUNTIME_NODEJS, 0, 1},
    {"nodejs18.x", LP_RUNTIME_NODEJS, 0, 1},     {"nodejs20.x", LP_RUNTIME_NODEJS, 0, 0},
    {"nodejs22.x", LP_RUNTIME_NODEJS, 0, 0},     {"nodejs24.x", LP_RUNTIME_NODEJS, 0, 0},
    {"provided", LP_RUNTIME_OTHER, 0, 1},        {"provided.al2", LP_RUNTIME_OTHER, 0, 0},
    {"provided.al2023", LP_RUNTIME_OTHER, 0, 0}, {"python3.10", LP_RUNTIME_PYTHON, 10, 0},
    {"python3.11", LP_RUNTIME_PYTHON, 11, 0},    {"python3.12", LP_RUNTIME_PYTHON, 12, 0},
    {"python3.13", LP_RUNTIME_PYTHON, 13, 0},    {"python3.14", LP_RUNTIME_PYTHON, 14, 0},
    {"python3.8", LP_RUNTIME_PYTHON, 8, 1},      {"python3.9", LP_RUNTIME_PYTHON, 9, 1},
    {"ruby3.2", LP_RUNTIME_OTHER, 0, 1},         {"ruby3.3", LP_RUNTIME_OTHER, 0, 0},
    {"ruby3.4", LP_RUNTIME_OTHER, 0, 0},
};

/* Sorted bytewise. */
static const char *const python_provided[] = {
    "awslambdaric", "boto3", "botocore", "dateutil", "jmespath", "s3transfer", "six", "urllib3",
};

const lp_runtime_info *lp_runtime_lookup(const char *id)
{
    if (id == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
        if (strcmp(runtimes[i].id, id) == 0) {
            return &runtimes[i];
        }
    }
    return NULL;
}

const char *lp_runtime_list_string(void)
{
    return "python3.8, python3.9, python3.10, python3.11, python3.12, python3.13, python3.14, "
           "nodejs16.x, nodejs18.x, nodejs20.x, nodejs22.x, nodejs24.x, java8.al2, java11, "
           "java17, java21, java25, dotnet6, dotnet8, dotnet10, ruby3.2, ruby3.3, ruby3.4, "
           "provided, provided.al2, provided.al2023, go1.x";
}

/* Compares name[0..n) with the NUL-terminated s, bytewise. */
static int cmp_n(const char *name, size_t n, const char *s)
{
    size_t sl = strlen(s);
    int c = memcmp(name, s, n < sl ? n : sl);
    if (c != 0) {
        return c;
    }
    return n < sl ? -1 : (n > sl ? 1 : 0);
}

static int sorted_has(const char *const *list, size_t count, const char *name, size_t n)
{
    size_t lo = 0;
    size_t hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_n(name, n, list[mid]);
        if (c == 0) {
            return 1;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

int lp_runtime_python_stdlib_has(int minor, const char *name, size_t n)
{
    const lp_stdlib_list *best = NULL;
    for (size_t i = 0; i < lp_stdlib_n_lists; i++) {
        const lp_stdlib_list *l = &lp_stdlib_lists[i];
        if (best == NULL || abs(l->minor - minor) < abs(best->minor - minor)) {
            best = l;
        }
    }
    return best != NULL && sorted_has(best->names, best->n, name, n);
}

int lp_runtime_python_provided_has(const char *name, size_t n)
{
    return sorted_has(python_provided, sizeof(python_provided) / sizeof(python_provided[0]), name,
                      n);
}
