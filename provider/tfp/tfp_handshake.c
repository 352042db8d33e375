/*
 * tfp_handshake: environment checks, protocol negotiation, the handshake and
 * reattach lines, and the private socket directory. It writes nothing to
 * stdout itself (main prints the line) and starts no server.
 */
#include "tfp_handshake.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* tfp_handshake_cookie_ok lives in tfp_launch.c: the front binary needs it. */

int tfp_handshake_negotiate(const char *offered, int *version, tfp_error *err)
{
    if (offered == NULL || *offered == '\0') {
        *version = TFP_APP_PROTOCOL_VERSION;
        return 0;
    }
    const char *p = offered;
    while (*p != '\0') {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        /* Trim blanks around each entry. */
        while (len > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t')) {
            len--;
        }
        if (len == 1 && *p == '0' + TFP_APP_PROTOCOL_VERSION) {
            *version = TFP_APP_PROTOCOL_VERSION;
            return 0;
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    return tfp_error_sys(
        err, 0,
        "plugin protocol version %d is not among those Terraform offers "
        "(PLUGIN_PROTOCOL_VERSIONS=%s); this provider needs Terraform 1.0 or later",
        TFP_APP_PROTOCOL_VERSION, offered);
}

static bool field_ok(const char *s)
{
    return s != NULL && strpbrk(s, "|\r\n") == NULL;
}

int tfp_handshake_format_line(char *buf, size_t cap, int app_version, const char *network,
                              const char *address, const char *cert_b64, tfp_error *err)
{
    if (cert_b64 == NULL) {
        cert_b64 = "";
    }
    if (!field_ok(network) || !field_ok(address) || !field_ok(cert_b64)) {
        return tfp_error_sys(err, 0, "handshake field contains '|' or a newline");
    }
    int n = snprintf(buf, cap, "%d|%d|%s|%s|grpc|%s\n", TFP_CORE_PROTOCOL_VERSION, app_version,
                     network, address, cert_b64);
    if (n < 0 || (size_t)n >= cap) {
        return tfp_error_sys(err, 0, "handshake line does not fit in %zu bytes", cap);
    }
    return n;
}

int tfp_handshake_format_reattach(char *buf, size_t cap, const char *provider_address, long pid,
                                  const char *socket_path, tfp_error *err)
{
    /* Both strings are ours (a registry address and a mkdtemp path): refuse
       anything that would need JSON escaping rather than escape it. */
    if (strpbrk(provider_address, "\"\\") != NULL || strpbrk(socket_path, "\"\\") != NULL) {
        return tfp_error_sys(err, 0, "reattach address or path contains a quote or backslash");
    }
    int n = snprintf(buf, cap,
                     "{\"%s\":{\"Protocol\":\"grpc\",\"ProtocolVersion\":%d,\"Pid\":%ld,"
                     "\"Test\":true,\"Addr\":{\"Network\":\"unix\",\"String\":\"%s\"}}}",
                     provider_address, TFP_APP_PROTOCOL_VERSION, pid, socket_path);
    if (n < 0 || (size_t)n >= cap) {
        return tfp_error_sys(err, 0, "reattach line does not fit in %zu bytes", cap);
    }
    return n;
}

int tfp_socket_dir_create(tfp_socket_dir *sd, const char *tmp_root, tfp_error *err)
{
    struct sockaddr_un addr;
    memset(sd, 0, sizeof(*sd));
    if (tmp_root == NULL || *tmp_root == '\0') {
        tmp_root = getenv("TMPDIR");
    }
    if (tmp_root == NULL || *tmp_root == '\0') {
        tmp_root = "/tmp";
    }
    int n = snprintf(sd->dir, sizeof(sd->dir), "%s/tfp-lambda-XXXXXX", tmp_root);
    if (n < 0 || (size_t)n >= sizeof(sd->dir) ||
        (size_t)n + strlen("/plugin.sock") >= sizeof(addr.sun_path)) {
        sd->dir[0] = '\0';
        return tfp_error_sys(err, 0, "temporary directory '%s' is too long for a unix socket path",
                             tmp_root);
    }
    if (mkdtemp(sd->dir) == NULL) {
        int e = errno;
        tfp_error_sys(err, e, "cannot create a private directory in '%s': %s", tmp_root,
                      strerror(e));
        sd->dir[0] = '\0';
        return -1;
    }
    /* mkdtemp makes it 0700 already; say so explicitly against odd umasks. */
    if (chmod(sd->dir, 0700) != 0) {
        int e = errno;
        rmdir(sd->dir);
        tfp_error_sys(err, e, "cannot chmod '%s': %s", sd->dir, strerror(e));
        sd->dir[0] = '\0';
        return -1;
    }
    snprintf(sd->path, sizeof(sd->path), "%s/plugin.sock", sd->dir);
    return 0;
}

void tfp_socket_dir_remove(const tfp_socket_dir *sd)
{
    if (sd == NULL || sd->dir[0] == '\0') {
        return;
    }
    if (sd->path[0] != '\0') {
        unlink(sd->path);
    }
    rmdir(sd->dir);
}
