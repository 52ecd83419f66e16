/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared between vireoctl's files. */
#pragma once

#include <gio/gio.h>
#include "vireo-connection.h"

G_BEGIN_DECLS

#define EXIT_USAGE 2

typedef struct {
  GMainLoop       *loop;
  VireoConnection *conn;
  const char      *uri;
  /* open */
  gboolean         opened;
  GError          *error;
  gboolean         auth_refused;   /* asked for credentials without a terminal */
  gboolean         auth_announced;
  /* stats */
  gint             count;          /* ticks to print; <= 0 means until Ctrl+C */
  gint             printed;
  int              status;
} Ctl;

/* "vireoctl: MESSAGE" on stderr. */
void          fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* vireoctl-create.c */
GOptionGroup *vireoctl_create_options       (void);
/* NULL when the options given are fine for `verb`; else the complaint. */
char         *vireoctl_create_check_options (const char *verb);
int           vireoctl_create               (Ctl *ctl);
void          vireoctl_create_cleanup       (void);

G_END_DECLS
