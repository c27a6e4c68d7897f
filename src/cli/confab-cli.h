/* confab-cli.h: what the verbs of confab-cli share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "confab-core.h"

G_BEGIN_DECLS

/* Exit codes (see /work/shared/CLI.md). */
#define CLI_EXIT_OK        0
#define CLI_EXIT_LOCAL     1   /* usage, store, keyring, a bad argument */
#define CLI_EXIT_REFUSED   2   /* the provider said no: key, model, limits */
#define CLI_EXIT_NETWORK   3   /* could not reach it, or the stream broke */
#define CLI_EXIT_CANCELLED 130 /* Ctrl+C, as shells report SIGINT */

typedef struct
{
  /* Global options. */
  gboolean              json;
  char                 *data_dir;
  GStrv                 base_urls;

  /* Verb options. */
  char                 *model;    /* the last -m */
  GStrv                 models;   /* every -m, in order (compare, roundtable) */
  char                 *synthesize; /* compare */
  char                 *rounds;     /* roundtable */
  char                 *moderator;  /* roundtable */
  char                 *budget;     /* roundtable */
  gboolean              new_chat;
  char                 *chat_id;
  char                 *thread_id;
  char                 *format;   /* export */
  char                 *output;   /* export -o */
  char                 *server;   /* server, room: --server URL */
  char                 *user;     /* server: --user NAME */
  char                 *role;     /* room invite */
  char                 *uses;     /* room invite */
  char                 *expires;  /* room invite */
  char                 *since;    /* room tail */
  gboolean              follow;   /* room tail */

  /* The positional arguments after the verb. */
  GStrv                 args;

  ConfabStore          *store;
  ConfabModelCatalogue *catalogue;
  GCancellable         *cancellable;
} ConfabCli;

void          confab_cli_clear          (ConfabCli     *cli);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ConfabCli, confab_cli_clear)

/* Prints "confab-cli: error: …" and returns exit. */
int           confab_cli_error          (int            exit,
                                         const char    *format,
                                         ...) G_GNUC_PRINTF (2, 3);
/* The same for error, with the exit code its kind calls for. */
int           confab_cli_fail           (const GError  *error);
int           confab_cli_exit_code      (const GError  *error);
/* A word for the kind of error, for --json ("auth", "network", …). */
const char   *confab_cli_error_kind     (const GError  *error);

/* Opens the store of --data-dir (or the app's) and the catalogue with the
 * --base-url settings; on failure prints the error and returns FALSE. */
gboolean      confab_cli_open           (ConfabCli     *cli,
                                         int           *exit);
/* Parses a decimal row id; FALSE for anything else. */
gboolean      confab_cli_parse_id       (const char    *text,
                                         gint64        *id);
char         *confab_cli_format_id      (gint64         id);

/* Spins the main context until *result is set by confab_cli_async_cb. */
void          confab_cli_async_cb       (GObject       *object,
                                         GAsyncResult  *result,
                                         gpointer       user_data);
GAsyncResult *confab_cli_await          (GAsyncResult **result);

/* One JSON object per line on stdout: begin, add members, end. */
JsonBuilder  *confab_cli_json_begin     (const char    *event);
void          confab_cli_json_end       (JsonBuilder   *builder);
void          confab_cli_json_add_string (JsonBuilder  *builder,
                                          const char   *member,
                                          const char   *value);
void          confab_cli_json_add_id    (JsonBuilder   *builder,
                                         const char    *member,
                                         gint64         id);
/* null when value < 0. */
void          confab_cli_json_add_count (JsonBuilder   *builder,
                                         const char    *member,
                                         gint64         value);
/* {"event":"error","kind":…,"message":…} */
void          confab_cli_json_error     (const GError  *error);

/* The prompt: the arguments joined, or stdin for a lone "-"; NULL (no
 * error) when there are none. */
char         *confab_cli_read_prompt    (ConfabCli     *cli,
                                         GError       **error);
/* The chat of --chat or --thread (whose main-line parent goes to
 * *parent_id), or a new one titled after prompt; on failure prints the
 * error and sets *exit. */
ConfabChat   *confab_cli_resolve_chat   (ConfabCli     *cli,
                                         const char    *prompt,
                                         gint64        *parent_id,
                                         int           *exit);

/* Writes text to stdout at once (streaming). */
void          confab_cli_write          (const char    *text);

/* The verbs; each returns the exit code. */
int           confab_cli_models         (ConfabCli     *cli);
int           confab_cli_keys           (ConfabCli     *cli);
int           confab_cli_chat           (ConfabCli     *cli);
int           confab_cli_chats          (ConfabCli     *cli);
int           confab_cli_show           (ConfabCli     *cli);
int           confab_cli_import         (ConfabCli     *cli);
int           confab_cli_export         (ConfabCli     *cli);
int           confab_cli_server         (ConfabCli     *cli);
int           confab_cli_room           (ConfabCli     *cli);
int           confab_cli_compare        (ConfabCli     *cli);
int           confab_cli_roundtable     (ConfabCli     *cli);

G_END_DECLS
