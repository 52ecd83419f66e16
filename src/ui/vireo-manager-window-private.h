/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "vireo-manager-window.h"

G_BEGIN_DECLS

struct _VireoManagerWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *empty_page;
  VireoConnection      *new_vm_connection;  /* for the wizard being loaded */
  gboolean              new_vm_loading;
  GtkListView          *list_view;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkToggleButton      *search_button;
  GtkButton            *pause_button;
  GtkWidget            *header_cpu_label;
  GtkWidget            *header_memory_label;
  GtkWidget            *header_disk_label;
  GtkWidget            *header_network_label;
  GMenu                *domain_menu;
  GMenu                *connection_menu;
  GMenu                *more_autostart_section;
  GMenu                *domain_autostart_section;

  GSettings            *settings;
  GListModel           *connections;
  GtkTreeListModel     *tree;
  GtkSingleSelection   *selection;
  GtkCustomFilter      *filter;
  char                 *search_text;
  /* The row widgets the factory made (weak): few, as rows are recycled. */
  GPtrArray            *rows;

  /* What the actions apply to: the selected row's item. */
  VireoDomain          *selected_domain;
  VireoConnection      *selected_connection;
  gulong                selected_domain_handler;
  gulong                selected_connection_handler;
  gboolean              autostart_on;
};

void _vireo_manager_window_class_actions_init (VireoManagerWindowClass *klass);
void _vireo_manager_window_actions_init       (VireoManagerWindow      *self);
void _vireo_manager_window_update_actions     (VireoManagerWindow      *self);
void _vireo_manager_window_popup_menu        (VireoManagerWindow      *self);
void _vireo_manager_window_copy_to            (VireoManagerWindow      *self);
gboolean _vireo_manager_window_can_copy       (VireoDomain             *domain);
void _vireo_manager_window_run_action         (VireoManagerWindow      *self,
                                               VireoDomain             *domain,
                                               VireoDomainAction        action,
                                               VireoActionFlags         flags);

G_END_DECLS
