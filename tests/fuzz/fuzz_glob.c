/*
 * libFuzzer target for lp_glob: input is "PATTERN\nPATH" (first byte's low
 * bit: whether PATH is a directory). Compiling must never crash and
 * matching must terminate quickly whatever the pattern.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int is_dir = data[0] & 1;
    data++;
    size--;
    char *buf = malloc(size + 1);
    if (buf == NULL) {
        return 0;
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *nl = memchr(buf, '\n', size);
    const char *path = "a/b/c.py";
    if (nl != NULL) {
        *nl = '\0';
        path = nl + 1;
    }
    lp_glob *g = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_glob_compile(&g, buf, &err) == 0) {
        int m = lp_glob_match(g, path, is_dir);
        if (m != 0 && m != 1) {
            abort();
        }
        lp_glob_free(g);
    } else if (err.code != LP_EGLOB && err.code != LP_ENOMEM) {
        abort();
    }
    free(buf);
    return 0;
}
