/*
 * libFuzzer target for lp_zip_read_manifest: the input is a ZIP file. It
 * must be rejected or read without crashing, leaking or allocating in
 * proportion to the sizes it declares. The bytes go through a memfd so no
 * file is written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lp_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_zip", 0);
    if (fd < 0) {
        return 0;
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return 0;
        }
        off += (size_t)w;
    }
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_zip_read_manifest(&m, path, 6, &err);
    if (rc == 0) {
        if (m == NULL) {
            abort();
        }
        lp_diff_list *d = NULL;
        if (lp_manifest_diff(&d, m, m, &err) == 0) {
            if (d->n != 0) {
                abort();
            }
            lp_diff_list_free(d);
        }
        lp_manifest_free(m);
    } else if (m != NULL) {
        abort();
    }
    close(fd);
    return 0;
}
