/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The wizard's state, shared by its files: vireo-new-vm-wizard.c (method
 * page, navigation), -source.c (install source, tree and media detection,
 * the OS list), -pages.c (memory and CPUs, storage, name and network) and
 * -run.c (the plan, customize before install, the run). */
#pragma once

#include "vireo-new-vm-wizard.h"
#include "vireo-installer.h"
#include "vireo-install-plan.h"
#include "vireo-install-source.h"
#include "vireo-os-guess.h"
#include "vireo-tree-info.h"
#include "vireo-host-caps.h"

G_BEGIN_DECLS

typedef enum {
  PAGE_METHOD,
  PAGE_SOURCE,
  PAGE_OS,
  PAGE_RESOURCES,
  PAGE_STORAGE,
  PAGE_NAME,
  PAGE_CUSTOMIZE,
  PAGE_PROGRESS,
  N_PAGES
} WizardPage;

typedef enum {
  NET_ITEM_VIRTUAL,
  NET_ITEM_BRIDGE,
  NET_ITEM_DIRECT,      /* macvtap on a host device */
  NET_ITEM_USER,
  NET_ITEM_NONE,
} NetItemKind;

struct _VireoNewVmWizard
{
  AdwWindow           parent_instance;

  /* Template widgets */
  AdwWindowTitle     *window_title;
  GtkWidget          *cancel_button;
  GtkWidget          *back_button;
  GtkWidget          *forward_button;
  GtkWidget          *finish_button;
  GtkStack           *stack;
  GtkLabel           *forward_reason_label;

  AdwComboRow        *connection_row;
  GtkLabel           *connection_error_label;
  GtkCheckButton     *method_iso;
  GtkCheckButton     *method_cdrom;
  GtkCheckButton     *method_url;
  GtkCheckButton     *method_pxe;
  GtkCheckButton     *method_import;
  GtkCheckButton     *method_kernel;
  GtkWidget          *virt_group;
  GtkWidget          *display_group;
  GtkDropDown        *display_dropdown;
  GtkWidget          *accel_group;
  GtkDropDown        *accel_dropdown;
  GtkStringList      *accel_model;
  GStrv               accel_types;      /* libvirt domain types, parallel to accel_model */
  GtkCheckButton     *virt_hvm;
  GtkCheckButton     *virt_pv;
  GtkLabel           *virt_error_label;

  GtkStack           *source_stack;
  GtkWidget          *unattended_group;
  GtkCheckButton     *unattended_check;
  GtkEntry           *unattended_user_entry;
  GtkPasswordEntry   *unattended_password_entry;
  GtkEntry           *unattended_timezone_entry;
  GtkEntry           *unattended_hostname_entry;
  GtkLabel           *unattended_error_label;
  GtkEntry           *iso_entry;
  GtkWidget          *iso_browse_button;
  GtkCheckButton     *iso_upload_check;   /* remote hosts: the ISO is ours, uploaded */
  GtkLabel           *iso_error_label;
  GtkDropDown        *cdrom_dropdown;
  GtkLabel           *cdrom_error_label;
  GtkEntry           *url_entry;
  GtkEntry           *url_args_entry;
  GtkSpinner         *url_spinner;
  GtkLabel           *url_status_label;
  GtkEntry           *import_entry;
  GtkLabel           *import_error_label;
  GtkEntry           *kernel_entry;
  GtkEntry           *initrd_entry;
  GtkEntry           *cmdline_entry;
  GtkLabel           *kernel_error_label;

  GtkCheckButton     *os_detect_check;
  GtkLabel           *os_detected_label;
  GtkLabel           *os_fallback_label;
  GtkWidget          *os_choose_group;
  GtkSearchEntry     *os_search_entry;
  GtkListView        *os_list;
  GtkLabel           *os_error_label;

  AdwActionRow       *memory_row;
  GtkSpinButton      *memory_spin;
  AdwActionRow       *cpus_row;
  GtkSpinButton      *cpus_spin;
  GtkLabel           *resources_error_label;

  GtkCheckButton     *storage_new;
  GtkWidget          *storage_new_grid;
  GtkDropDown        *pool_dropdown;
  GtkSpinButton      *disk_size_spin;
  GtkLabel           *pool_info_label;
  GtkCheckButton     *storage_existing;
  GtkWidget          *storage_existing_box;
  GtkEntry           *storage_path_entry;
  GtkCheckButton     *storage_none;
  GtkLabel           *storage_error_label;

  GtkEntry           *name_entry;
  GtkLabel           *name_error_label;
  GtkDropDown        *network_dropdown;
  GtkEntry           *bridge_entry;
  GtkLabel           *network_error_label;
  GtkLabel           *summary_label;
  GtkCheckButton     *customize_check;

  GtkLabel           *xml_status_label;
  GtkTextView        *xml_view;

  GtkLabel           *progress_title_label;
  GtkProgressBar     *progress_bar;
  GtkLabel           *progress_step_label;

  /* State */
  VireoApplication   *application;
  GCancellable       *cancellable;      /* the wizard's life */
  gboolean            updating;         /* values set by code, not typed */

  VireoConnection    *connection;
  gulong              connection_state_handler;
  gulong              pools_handler;
  gulong              networks_handler;
  gboolean            remote;
  GCancellable       *caps_cancellable;
  VireoHostCaps      *caps;
  char               *caps_error;

  /* Tree detection (URL) and media detection (ISO) */
  guint               detect_timeout_id;
  GCancellable       *detect_cancellable;
  char               *detect_key;       /* what the result below is for */
  gboolean            detecting;
  VireoTreeInfo      *tree;
  char               *tree_error;
  gboolean            os_guessing;
  VireoOsGuess       *detected_os;
  char               *os_detect_error;

  /* The OS database */
  gboolean            os_db_loading;
  char               *os_db_error;
  GtkCustomFilter    *os_filter;
  GtkFilterListModel *os_filtered;
  GtkSingleSelection *os_selection;
  char               *os_search;

  GtkStringList      *cdrom_model;
  GPtrArray          *drives;           /* VireoHostDrive, parallel to cdrom_model */
  GCancellable       *drives_cancellable;
  gboolean            drives_loading;
  char               *drives_error;     /* why the host's drives are unknown */
  GtkStringList      *pool_model;
  GPtrArray          *pool_names;       /* parallel to pool_model */
  GtkStringList      *network_model;
  GArray             *network_kinds;    /* NetItemKind, parallel */
  GPtrArray          *network_names;    /* parallel; NULL for non-virtual */

  gboolean            resources_user_set;
  gboolean            disk_size_user_set;
  gboolean            name_user_set;
  VireoOsGuess       *recommended_for;  /* the OS the defaults came from */

  /* Customize and run */
  VireoInstallPlan   *plan;
  VireoInstaller     *installer;
  GCancellable       *run_cancellable;
  gboolean            preparing;
  gboolean            prepared;
  gboolean            keep_edits;       /* preparing again for edited XML */
  gboolean            running;
  gboolean            cancelling;
  gboolean            close_when_done;  /* closed during a run: go once cancelled */
  char               *prepared_xml;
};

/* vireo-new-vm-wizard.c */
void                 _vireo_new_vm_wizard_update        (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_set_error     (GtkWidget        *field,
                                                         GtkLabel         *label,
                                                         const char       *message);
VireoInstallMethod   _vireo_new_vm_wizard_get_method    (VireoNewVmWizard *self);
gboolean             _vireo_new_vm_wizard_get_paravirt  (VireoNewVmWizard *self);
const char          *_vireo_new_vm_wizard_get_virt_type (VireoNewVmWizard *self);
VireoUnattended     *_vireo_new_vm_wizard_dup_unattended (VireoNewVmWizard *self);
VireoGraphicsType    _vireo_new_vm_wizard_get_graphics (VireoNewVmWizard *self);
const char          *_vireo_new_vm_wizard_get_arch      (VireoNewVmWizard *self);

static inline guint
_vireo_new_vm_wizard_spin_value (GtkSpinButton *spin)
{
  return (guint) gtk_spin_button_get_value_as_int (spin);
}

static inline void
_vireo_new_vm_wizard_set_spin (VireoNewVmWizard *self,
                               GtkSpinButton    *spin,
                               guint             value)
{
  self->updating = TRUE;
  gtk_spin_button_set_value (spin, value);
  self->updating = FALSE;
}

/* vireo-new-vm-wizard.c: navigation */
WizardPage           _vireo_new_vm_wizard_get_page      (VireoNewVmWizard *self);
/* The name page, or the XML when "Customize before install" is ticked. */
WizardPage           _vireo_new_vm_wizard_get_last_page (VireoNewVmWizard *self);
gboolean             _vireo_new_vm_wizard_page_is_skipped (VireoNewVmWizard *self,
                                                         WizardPage        page);
char                *_vireo_new_vm_wizard_check_page    (VireoNewVmWizard *self,
                                                         WizardPage        page);
/* Switches with what entering the page needs (defaults, preparing the XML). */
void                 _vireo_new_vm_wizard_go_to         (VireoNewVmWizard *self,
                                                         WizardPage        page);
/* Switches only. */
void                 _vireo_new_vm_wizard_show_page     (VireoNewVmWizard *self,
                                                         WizardPage        page);

/* vireo-new-vm-wizard-run.c: the plan, customize, the run */
void                 _vireo_new_vm_wizard_run_init      (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_run_class_init (GtkWidgetClass  *widget_class);
/* `keep_uuid` non-NULL: again for XML already edited (after a failed run). */
gboolean             _vireo_new_vm_wizard_start_prepare (VireoNewVmWizard *self,
                                                         const char       *keep_uuid);
char                *_vireo_new_vm_wizard_check_customize (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_drop_installer (VireoNewVmWizard *self);

/* vireo-new-vm-wizard-pages.c: memory and CPUs, storage, name and network.
 * The checks mark their fields and return why Forward is off (NULL: fine). */
void                 _vireo_new_vm_wizard_pages_class_init (GtkWidgetClass *widget_class);
char                *_vireo_new_vm_wizard_check_resources (VireoNewVmWizard *self);
char                *_vireo_new_vm_wizard_check_storage   (VireoNewVmWizard *self);
char                *_vireo_new_vm_wizard_check_name      (VireoNewVmWizard *self);
/* The OS's recommended memory, CPUs and disk, unless the user set them. */
void                 _vireo_new_vm_wizard_apply_recommendations (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_rebuild_pools   (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_rebuild_networks (VireoNewVmWizard *self);
/* The OS's short id, made unique on the host, unless the user typed one. */
void                 _vireo_new_vm_wizard_suggest_name    (VireoNewVmWizard *self);
const char          *_vireo_new_vm_wizard_get_pool        (VireoNewVmWizard *self);
NetItemKind          _vireo_new_vm_wizard_get_network     (VireoNewVmWizard *self,
                                                           const char      **name);
char                *_vireo_new_vm_wizard_dup_name        (VireoNewVmWizard *self);

/* vireo-new-vm-wizard-source.c */
void                 _vireo_new_vm_wizard_source_init   (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_source_dispose (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_source_class_init (GtkWidgetClass *widget_class);
/* Checks the current method's fields, marks them, and returns why Forward
 * is off (NULL: fine). Starts detection when the source changed. */
char                *_vireo_new_vm_wizard_check_source  (VireoNewVmWizard *self);
VireoInstallSource  *_vireo_new_vm_wizard_build_source  (VireoNewVmWizard *self,
                                                         GError          **error);
char                *_vireo_new_vm_wizard_check_os      (VireoNewVmWizard *self);
/* The detected OS when detection is on, else the one chosen; NULL: none. */
VireoOsGuess        *_vireo_new_vm_wizard_get_os        (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_refresh_drives (VireoNewVmWizard *self);
/* The selected drive's device path; NULL: none. */
const char          *_vireo_new_vm_wizard_get_drive     (VireoNewVmWizard *self);
void                 _vireo_new_vm_wizard_source_reset  (VireoNewVmWizard *self);
/* A GtkFileChooserNative (GtkFileDialog is GTK 4.10) that fills `entry`. */
void                 _vireo_new_vm_wizard_choose_file   (VireoNewVmWizard *self,
                                                         GtkEntry         *entry,
                                                         const char       *title,
                                                         gboolean          disk_images);

G_END_DECLS
