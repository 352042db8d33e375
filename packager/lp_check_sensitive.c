/*
 * lp_check_sensitive: files whose path marks them as credentials.
 *
 * A Lambda package is uploaded to AWS, often to S3, and copied to every
 * machine that deploys it; the plan prints every file's SHA-256. A file
 * whose name says it is a secret (an SSH key, a .env, AWS credentials,
 * Terraform state) is therefore an error unless allow_sensitive_files names
 * it. The patterns are lp_glob patterns matched against the archive path;
 * the list is documented in docs/internals/checks.md.
 */
#include <stdlib.h>
#include <string.h>

#include "lp_check_int.h"
#include "lp_glob.h"

/* Paths that mark a credential (lp_glob: no `/` = basename at any depth;
 * trailing `/` = a directory, and everything below it). */
static const char *const sensitive[] = {
    ".env",      ".env.*",
    "*.pem",     "*.key",
    "*.p12",     "*.pfx",
    "id_rsa*",   "id_dsa*",
    "id_ecdsa*", "id_ed25519*",
    ".ssh/",     ".aws/",
    ".netrc",    ".npmrc",
    ".pypirc",   ".git-credentials",
    "*.tfstate", "*.tfstate.backup",
    "*.tfvars",
};

/* Templates that hold no secret, although they match above. */
static const char *const harmless[] = {".env.example", ".env.sample", ".env.template"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when one of the n patterns matches path, 0 when none, LP_EGLOB or
 * LP_ENOMEM (err filled) when a pattern does not compile. */
static int any_match(const char *const *patterns, size_t n, const char *path, const char **which,
                     lp_error *err)
{
    for (size_t i = 0; i < n; i++) {
        lp_glob *g = NULL;
        int rc = lp_glob_compile(&g, patterns[i], err);
        if (rc < 0) {
            return rc;
        }
        rc = lp_glob_match(g, path, 0);
        lp_glob_free(g);
        if (rc != 0) {
            if (which != NULL) {
                *which = patterns[i];
            }
            return rc;
        }
    }
    return 0;
}

int lp_check_sensitive(checker *c)
{
    const lp_check_options *o = c->o;
    for (size_t i = 0; i < o->n_allow_sensitive_files; i++) {
        lp_glob *g = NULL;
        if (lp_glob_compile(&g, o->allow_sensitive_files[i], c->err) < 0) {
            c->err->field = "allow_sensitive_files";
            return c->err->code;
        }
        int negated = lp_glob_negated(g);
        lp_glob_free(g);
        if (negated) {
            return lp_error_set(c->err, LP_EGLOB, 0, -1, "allow_sensitive_files",
                                o->allow_sensitive_files[i],
                                "invalid glob '%s' in allow_sensitive_files: `!` has no meaning "
                                "here (the list only allows)",
                                o->allow_sensitive_files[i]);
        }
    }
    for (size_t i = 0; i < c->m->n_files; i++) {
        const lp_file *f = &c->m->files[i];
        const char *why = NULL;
        int rc;
        if (f->is_dir) {
            continue;
        }
        if ((rc = any_match(sensitive, N(sensitive), f->archive_path, &why, c->err)) <= 0) {
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        if ((rc = any_match(harmless, N(harmless), f->archive_path, NULL, c->err)) != 0 ||
            (rc = any_match(o->allow_sensitive_files, o->n_allow_sensitive_files, f->archive_path,
                            NULL, c->err)) != 0) {
            if (rc < 0) {
                return rc;
            }
            continue;
        }
        rc = lp_check_add(c, LP_CHECK_ERROR, "source", f->source_index, f->archive_path, 0,
                          "Sensitive file in package",
                          "'%s' looks like a credential (it matches `%s`), and a Lambda package "
                          "is uploaded to AWS and copied to every machine that deploys it. "
                          "Leave it out (excludes = [\"%s\"]), or, when it is meant to ship "
                          "(a public CA bundle), allow it: allow_sensitive_files = [\"%s\"] "
                          "(lambdapack: --allow-sensitive-file '%s').",
                          f->archive_path, why, f->archive_path, f->archive_path, f->archive_path);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
