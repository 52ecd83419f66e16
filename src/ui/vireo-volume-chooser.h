/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A host's storage, browsed: its pools and their volumes, listed off the
 * main thread; the chosen volume's path on the host goes into an entry.
 * What the wizard's "Browse…" opens on a remote host, whose files are not
 * this computer's. */
#pragma once

#include <gtk/gtk.h>
#include "vireo-connection.h"

G_BEGIN_DECLS

/* Opens the chooser, modal over `parent`; it destroys itself when closed
 * (it is never kept hidden). */
void vireo_volume_chooser_open (GtkWindow       *parent,
                                VireoConnection *connection,
                                const char      *title,
                                GtkEditable     *target);

G_END_DECLS
