/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the display tests share: a private Xvfb, the main loop pumped for a
 * while, unix sockets, child processes that die with the test. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Iterates the default main context for ms milliseconds. */
void         test_pump            (guint ms);

/* A child_setup for GSubprocessLauncher: the child is killed when the test
 * dies, so a failed assertion leaves no QEMU or Xvfb behind. */
void         test_die_with_parent (gpointer data);

/* When DISPLAY is unset, starts an Xvfb of width × height, sets DISPLAY
 * (and unsets WAYLAND_DISPLAY) and returns it in *xvfb. With DISPLAY set,
 * does nothing and leaves *xvfb NULL. Fails with the reason (package to
 * install) when Xvfb is missing or does not start. */
gboolean     test_start_xvfb      (int           width,
                                   int           height,
                                   GSubprocess **xvfb,
                                   GError      **error);

/* Stops what test_start_xvfb started (NULL is fine). */
void         test_stop_process    (GSubprocess  *process);

/* Removes a test's temporary directory and the files in it. */
void         test_remove_dir      (const char   *dir);

/* A connected unix stream socket, or -1. */
int          test_connect_unix    (const char   *path);

/* Runs argv to its end with the main loop turning (the tool may drive the
 * X server the widgets under test are on); TRUE when it succeeded. */
gboolean     test_run_quiet       (const char * const *argv);

G_END_DECLS
