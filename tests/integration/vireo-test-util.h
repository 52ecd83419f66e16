/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers for integration tests on the libvirt test driver: fixture URIs,
 * and waiting on the main loop for async results with a deadline, so a core
 * that never answers fails the test instead of hanging it. */
#pragma once

#include "vireo-connection.h"

G_BEGIN_DECLS

/* Seconds any single wait may take before the test fails. */
#define VIREO_TEST_TIMEOUT_S 15

/* g_test_init(), plus: failed checks do not abort the rest of the test
 * program, and debug chatter (libvirt-glib's event loop logs from its own
 * threads) stays out of the TAP stream. */
void             vireo_test_init          (int    *argc,
                                           char ***argv);

/* test:///ABS/PATH/<file> from $VIREO_FIXTURES; fails the test when unset. */
char            *vireo_test_fixture_uri   (const char *file);

/* Opens a connection and waits for the result. Returns the connection (even
 * when opening failed) and sets *error on failure. */
VireoConnection *vireo_test_open          (const char *uri,
                                           GError    **error);
/* Opens and asserts success. */
VireoConnection *vireo_test_open_ok       (const char *uri);

gboolean         vireo_test_run_action    (VireoDomain       *domain,
                                           VireoDomainAction  action,
                                           VireoActionFlags   flags,
                                           GError           **error);
gboolean         vireo_test_refresh       (VireoConnection *conn,
                                           GError         **error);

/* Iterates the default main context until check(data) is TRUE or the
 * timeout passes; returns the last value of check(). */
gboolean         vireo_test_wait_until    (gboolean (*check) (gpointer data),
                                           gpointer  data,
                                           guint     timeout_ms);
/* Iterates the main context for ms milliseconds. */
void             vireo_test_spin          (guint ms);
/* g_test_run(), then closes every connection the tests opened and waits
 * for them to be finalized. */
int              vireo_test_run           (void);

VireoPool       *vireo_test_find_pool     (VireoConnection *conn,
                                           const char      *name);
VireoNetwork    *vireo_test_find_network  (VireoConnection *conn,
                                           const char      *name);

G_END_DECLS
