/*
 * Tests for tfp_handshake: protocol negotiation from PLUGIN_PROTOCOL_VERSIONS,
 * the magic cookie, the exact go-plugin handshake line, the reattach JSON for
 * --debug, the private socket directory, and the serving program's check of
 * the front binary that started it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "tfp_handshake.h"
#include "tfp_launch.h"

static int negotiate(const char *offered)
{
    int v = -1;
    tfp_error err = TFP_ERROR_INIT;
    if (tfp_handshake_negotiate(offered, &v, &err) != 0) {
        assert_true(strlen(err.message) > 0);
        return -1;
    }
    return v;
}

static void protocol_6_is_picked_whatever_the_order(void **state)
{
    (void)state;
    assert_int_equal(negotiate("5,6"), 6);
    assert_int_equal(negotiate("6,5"), 6);
    assert_int_equal(negotiate("6"), 6);
    assert_int_equal(negotiate(" 5 , 6 "), 6);
}

static void missing_versions_default_to_6(void **state)
{
    (void)state;
    assert_int_equal(negotiate(NULL), 6);
    assert_int_equal(negotiate(""), 6);
}

static void versions_without_6_are_refused_naming_the_offer(void **state)
{
    (void)state;
    assert_int_equal(negotiate("5"), -1);
    assert_int_equal(negotiate("16,5"), -1);
    assert_int_equal(negotiate("4,5,7"), -1);
    int v = 0;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_handshake_negotiate("4,5", &v, &err), -1);
    assert_non_null(strstr(err.message, "4,5"));
}

static void magic_cookie_must_match_exactly(void **state)
{
    (void)state;
    assert_true(tfp_handshake_cookie_ok(
        "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"));
    assert_false(tfp_handshake_cookie_ok(NULL));
    assert_false(tfp_handshake_cookie_ok(""));
    assert_false(
        tfp_handshake_cookie_ok("d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b"));
}

static tfp_serve_options release_opts(const char *release)
{
    tfp_serve_options opts = TFP_SERVE_OPTIONS_INIT;
    opts.name = "terraform-provider-test";
    opts.release = release;
    return opts;
}

static void serving_program_started_on_its_own_serves(void **state)
{
    (void)state;
    tfp_serve_options opts = release_opts("1.2.3");
    unsetenv(TFP_LAUNCH_RELEASE_ENV);
    assert_int_equal(tfp_launch_check_front(&opts), 0);
}

static void serving_program_accepts_its_own_front_and_hides_the_variable(void **state)
{
    (void)state;
    tfp_serve_options opts = release_opts("1.2.3");
    assert_int_equal(setenv(TFP_LAUNCH_RELEASE_ENV, "1.2.3", 1), 0);
    assert_int_equal(tfp_launch_check_front(&opts), 0);
    assert_null(getenv(TFP_LAUNCH_RELEASE_ENV));
}

static void serving_program_refuses_a_front_of_another_release(void **state)
{
    (void)state;
    tfp_serve_options opts = release_opts("1.2.3");
    assert_int_equal(setenv(TFP_LAUNCH_RELEASE_ENV, "1.2.30", 1), 0);
    assert_int_equal(tfp_launch_check_front(&opts), -1);
    assert_null(getenv(TFP_LAUNCH_RELEASE_ENV));
}

static void handshake_line_has_six_fields_and_a_newline(void **state)
{
    (void)state;
    char buf[256];
    tfp_error err = TFP_ERROR_INIT;
    int n = tfp_handshake_format_line(buf, sizeof(buf), 6, "unix", "/tmp/d/plugin.sock",
                                      "MIIBxTCCAWug", &err);
    assert_string_equal(buf, "1|6|unix|/tmp/d/plugin.sock|grpc|MIIBxTCCAWug\n");
    assert_int_equal(n, (int)strlen(buf));
}

static void plaintext_line_has_an_empty_certificate_field(void **state)
{
    (void)state;
    char buf[256];
    tfp_error err = TFP_ERROR_INIT;
    assert_true(tfp_handshake_format_line(buf, sizeof(buf), 6, "unix", "/s", NULL, &err) > 0);
    assert_string_equal(buf, "1|6|unix|/s|grpc|\n");
}

static void line_fields_with_separators_or_overflow_are_refused(void **state)
{
    (void)state;
    char buf[32];
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_handshake_format_line(buf, sizeof(buf), 6, "unix", "/a|b", "c", &err), -1);
    assert_int_equal(tfp_handshake_format_line(buf, sizeof(buf), 6, "unix", "/a\nb", "c", &err),
                     -1);
    assert_int_equal(tfp_handshake_format_line(buf, sizeof(buf), 6, "unix",
                                               "/a/very/long/path/that/does/not/fit", "c", &err),
                     -1);
    assert_non_null(strstr(err.message, "32"));
}

static void reattach_value_is_json_terraform_understands(void **state)
{
    (void)state;
    char buf[512];
    tfp_error err = TFP_ERROR_INIT;
    assert_true(tfp_handshake_format_reattach(buf, sizeof(buf), TFP_PROVIDER_ADDRESS, 4242,
                                              "/tmp/x/plugin.sock", &err) > 0);
    json_error_t jerr;
    json_t *root = json_loads(buf, 0, &jerr);
    assert_non_null(root);
    json_t *p = json_object_get(root, "registry.terraform.io/lambdapack/lambda");
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "Protocol")), "grpc");
    assert_int_equal(json_integer_value(json_object_get(p, "ProtocolVersion")), 6);
    assert_int_equal(json_integer_value(json_object_get(p, "Pid")), 4242);
    assert_true(json_is_true(json_object_get(p, "Test")));
    json_t *addr = json_object_get(p, "Addr");
    assert_string_equal(json_string_value(json_object_get(addr, "Network")), "unix");
    assert_string_equal(json_string_value(json_object_get(addr, "String")), "/tmp/x/plugin.sock");
    json_decref(root);
    assert_int_equal(
        tfp_handshake_format_reattach(buf, sizeof(buf), TFP_PROVIDER_ADDRESS, 1, "/tmp/\"x", &err),
        -1);
}

static void socket_directory_is_private_and_removed(void **state)
{
    (void)state;
    char root[] = "/tmp/tfp-hs-test-XXXXXX";
    assert_non_null(mkdtemp(root));
    tfp_socket_dir sd;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_socket_dir_create(&sd, root, &err), 0);
    assert_int_equal(strncmp(sd.dir, root, strlen(root)), 0);
    struct stat st;
    assert_int_equal(stat(sd.dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_string_equal(sd.path + strlen(sd.dir), "/plugin.sock");
    /* Stand-in for the socket gRPC creates. */
    FILE *f = fopen(sd.path, "w");
    assert_non_null(f);
    fclose(f);
    tfp_socket_dir_remove(&sd);
    assert_int_equal(stat(sd.dir, &st), -1);
    tfp_socket_dir_remove(&sd); /* idempotent */
    tfp_socket_dir_remove(NULL);
    assert_int_equal(rmdir(root), 0);
}

static void socket_directory_uses_tmpdir_when_no_root_is_given(void **state)
{
    (void)state;
    char root[] = "/tmp/tfp-hs-tmpdir-XXXXXX";
    assert_non_null(mkdtemp(root));
    char *old = getenv("TMPDIR") != NULL ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", root, 1);
    tfp_socket_dir sd;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_socket_dir_create(&sd, NULL, &err), 0);
    assert_int_equal(strncmp(sd.dir, root, strlen(root)), 0);
    tfp_socket_dir_remove(&sd);
    assert_int_equal(rmdir(root), 0);
    if (old != NULL) {
        setenv("TMPDIR", old, 1);
        free(old);
    } else {
        unsetenv("TMPDIR");
    }
}

static void socket_directory_refuses_roots_too_long_for_a_socket(void **state)
{
    (void)state;
    char root[200];
    memset(root, 'a', sizeof(root) - 1);
    root[0] = '/';
    root[sizeof(root) - 1] = '\0';
    tfp_socket_dir sd;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_socket_dir_create(&sd, root, &err), -1);
    assert_non_null(strstr(err.message, "too long"));
    tfp_socket_dir_remove(&sd); /* nothing was created: harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(protocol_6_is_picked_whatever_the_order),
        cmocka_unit_test(missing_versions_default_to_6),
        cmocka_unit_test(versions_without_6_are_refused_naming_the_offer),
        cmocka_unit_test(magic_cookie_must_match_exactly),
        cmocka_unit_test(serving_program_started_on_its_own_serves),
        cmocka_unit_test(serving_program_accepts_its_own_front_and_hides_the_variable),
        cmocka_unit_test(serving_program_refuses_a_front_of_another_release),
        cmocka_unit_test(handshake_line_has_six_fields_and_a_newline),
        cmocka_unit_test(plaintext_line_has_an_empty_certificate_field),
        cmocka_unit_test(line_fields_with_separators_or_overflow_are_refused),
        cmocka_unit_test(reattach_value_is_json_terraform_understands),
        cmocka_unit_test(socket_directory_is_private_and_removed),
        cmocka_unit_test(socket_directory_uses_tmpdir_when_no_root_is_given),
        cmocka_unit_test(socket_directory_refuses_roots_too_long_for_a_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
