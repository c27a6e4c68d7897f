/* confab-test-utils.h: helpers shared by the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "confab-core.h"

G_BEGIN_DECLS

/* g_test_init() with a private HOME and XDG dirs for the whole program, so
 * nothing touches real data; confab_test_run() runs the tests and removes
 * them. (Not G_TEST_OPTION_ISOLATE_DIRS: on GLib 2.74 g_set_user_dirs()
 * leaks on every test, which LeakSanitizer reports.) */
void         confab_test_init            (int          *argc,
                                          char       ***argv);
int          confab_test_run             (void);

/* A fresh directory for one test, and its removal. */
char        *confab_test_make_tmpdir     (void);
void         confab_test_rm_rf           (const char   *path);

/* Opens a store and fails the test on error. */
ConfabStore *confab_test_store_new       (const char   *path);

/* Fixture: a temporary directory and a freshly created store in it. The
 * teardown proves the store itself is finalized (nothing leaked a ref). */
typedef struct
{
  char        *dir;
  char        *path;
  ConfabStore *store;
} ConfabTestStore;

void         confab_test_store_setup     (ConfabTestStore *fixture,
                                          gconstpointer    data);
void         confab_test_store_teardown  (ConfabTestStore *fixture,
                                          gconstpointer    data);
/* Closes the fixture's store (asserting it is finalized) and opens it again. */
void         confab_test_store_reopen    (ConfabTestStore *fixture);

/* SHA-256 of a file's bytes, to prove a file was left untouched. */
char        *confab_test_file_checksum   (const char   *path);
void         confab_test_write_file      (const char   *path,
                                          const void   *data,
                                          gsize         length);

/* ---- Rows: each fails the test on error. */
ConfabProject *confab_test_create_project (ConfabStore   *store,
                                           const char    *name);
ConfabChat    *confab_test_create_chat    (ConfabStore   *store,
                                           ConfabProject *project,
                                           const char    *title);
/* A complete user message on the main line (0) or in a thread. */
ConfabMessage *confab_test_add_text       (ConfabStore   *store,
                                           ConfabChat    *chat,
                                           gint64         parent_id,
                                           const char    *content);
guint          confab_test_search_count   (ConfabStore   *store,
                                           const char    *query);

ConfabMessage *confab_test_add_message   (ConfabStore         *store,
                                          gint64               chat_id,
                                          gint64               parent_id,
                                          ConfabRole           role,
                                          ConfabMessageStatus  status,
                                          const char          *content);

/* Appends @n (> 0) complete messages to the end of @chat_id's current
 * line, as many confab_store_add_message() calls would, in one statement:
 * "@prefix@first" to "@prefix@first+n-1", a user's for an even number and
 * an assistant's for an odd one. The store adds one message per statement
 * and FTS5 flushes its index after each, which makes 100,000 of them take
 * 13 s (two minutes under ASan); tests of reading need not pay for that.
 * Objects the store already made are not told: call before listing. */
void           confab_test_add_line       (ConfabStore   *store,
                                           gint64         chat_id,
                                           guint          first,
                                           guint          n,
                                           const char    *prefix);

/* ---- White-box access to the store's own connection, for what only it can
 * see (per-connection PRAGMAs) and for checking rows directly. */
struct sqlite3;
struct sqlite3 *confab_test_store_db      (ConfabStore  *store);
gint64         confab_test_query_int      (ConfabStore  *store,
                                           const char   *sql);
/* The first column of the first row; the test fails if there is no row. */
char          *confab_test_query_text     (ConfabStore  *store,
                                           const char   *sql);
/* Runs SQL on the store's connection; the test fails on an error. */
void           confab_test_exec           (ConfabStore  *store,
                                           const char   *sql);
/* TRUE when the query returns no row (e.g. PRAGMA foreign_key_check). */
gboolean       confab_test_query_empty    (ConfabStore  *store,
                                           const char   *sql);
gboolean       confab_test_chat_exists    (ConfabStore  *store,
                                           gint64        id);
gboolean       confab_test_message_exists (ConfabStore  *store,
                                           gint64        id);
/* Runs SQL on a separate plain connection, as another program would. */
void           confab_test_raw_exec       (const char   *path,
                                           const char   *sql);
/* Reads every item of @list and compares the ids with the database. */
void           confab_test_assert_list_matches_db (ConfabStore       *store,
                                                   ConfabMessageList *list);

/* A "notify" handler counting into the guint at @count. */
void           confab_test_count_notify   (GObject      *object,
                                           GParamSpec   *pspec,
                                           guint        *count);

/* ---- Records the items-changed emissions of a model. */
typedef struct
{
  guint position;
  guint removed;
  guint added;
} ConfabTestChange;

typedef struct
{
  GListModel *model;
  gulong      handler;
  GArray     *log; /* ConfabTestChange */
} ConfabTestChanges;

ConfabTestChanges *confab_test_changes_new    (GListModel        *model);
void               confab_test_changes_free   (ConfabTestChanges *changes);
/* The recorded changes as "position:-removed+added" separated by spaces
 * (empty when none), and the log emptied: compare with g_assert_cmpstr. */
char              *confab_test_changes_take   (ConfabTestChanges *changes);
/* Takes the changes and compares them with @expected. */
#define confab_test_assert_changes(changes, expected) \
  G_STMT_START { \
    g_autofree char *_confab_log = confab_test_changes_take (changes); \
    g_assert_cmpstr (_confab_log, ==, (expected)); \
  } G_STMT_END

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfabTestChanges, confab_test_changes_free)

G_END_DECLS
