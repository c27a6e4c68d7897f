/* confabd-accounts.c: user accounts and sessions of confabd
 *
 * Passwords are hashed with argon2id in a worker thread, so a login never
 * stalls the rooms served by the main loop. Failed logins are counted per
 * user name and per address in a sliding window, from timestamps checked
 * when the next attempt comes (no timers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "confabd"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <argon2.h>
#include <glib/gi18n-lib.h>

#include "confab-protocol.h"
#include "confabd-accounts.h"
#include "confabd-coroutine.h"

/* docs/protocol.md, "Connection" and "Limits". */
#define ARGON2_T_COST          2
#define ARGON2_M_COST_KIB      (19 * 1024)
#define ARGON2_PARALLELISM     1
#define SALT_LENGTH            16
#define HASH_LENGTH            32
#define TOKEN_BYTES            32
#define SESSION_LIFETIME       (30 * 24 * 3600)
#define FAILURE_WINDOW_USEC    (5 * 60 * G_USEC_PER_SEC)
#define MAX_FAILURES_PER_USER  5
#define MAX_FAILURES_PER_ADDR  20
/* With several instances: the same limits, counted in Redis (a fixed
 * window from the first failure rather than a sliding one). */
#define SHARED_USER_KEY        "confab:login-failures:user:"
#define SHARED_ADDRESS_KEY     "confab:login-failures:address:"
#define MAX_USER_NAME          64
#define MIN_PASSWORD           8
#define MAX_PASSWORD           1024

struct _ConfabdAccounts
{
  GObject         parent_instance;

  ConfabdStorage *storage;
  ConfabdBus     *bus;            /* NULL: a single instance */
  gint64          session_lifetime;
  /* name or address → GArray of gint64 monotonic times of failures, oldest first */
  GHashTable     *failures_by_user;
  GHashTable     *failures_by_address;
};

G_DEFINE_FINAL_TYPE (ConfabdAccounts, confabd_accounts, G_TYPE_OBJECT)

void
confabd_session_free (ConfabdSession *session)
{
  if (session == NULL)
    return;

  g_free (session->user);
  if (session->token != NULL)
    explicit_bzero (session->token, strlen (session->token));
  g_free (session->token);
  g_free (session->token_hash);
  g_free (session);
}

/* ---- Validation */

gboolean
confabd_accounts_check_user_name (const char  *name,
                                  GError     **error)
{
  gsize length = name != NULL ? strlen (name) : 0;

  if (length == 0 || length > MAX_USER_NAME)
    goto invalid;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      goto invalid;

  return TRUE;

invalid:
  g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                       _("A user name has 1 to 64 letters, digits, “.”, “_” or “-”."));
  return FALSE;
}

gboolean
confabd_accounts_check_password (const char  *password,
                                 GError     **error)
{
  gsize length = password != NULL ? strlen (password) : 0;

  if (length < MIN_PASSWORD || length > MAX_PASSWORD)
    {
      g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_INVALID,
                           _("A password has 8 to 1024 bytes."));
      return FALSE;
    }
  return TRUE;
}

/* ---- Hashing (worker threads) */

static void
fill_salt (guint8 *salt)
{
  gsize done = 0;

  while (done < SALT_LENGTH)
    {
      ssize_t n = getrandom (salt + done, SALT_LENGTH - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom() failed: %s", g_strerror (errno));
        }
      done += n;
    }
}

static char *
hash_password (const char  *password,
               GError     **error)
{
  guint8 salt[SALT_LENGTH];
  gsize encoded_length = argon2_encodedlen (ARGON2_T_COST, ARGON2_M_COST_KIB,
                                            ARGON2_PARALLELISM, SALT_LENGTH, HASH_LENGTH,
                                            Argon2_id);
  g_autofree char *encoded = g_malloc0 (encoded_length);
  int rc;

  fill_salt (salt);
  rc = argon2id_hash_encoded (ARGON2_T_COST, ARGON2_M_COST_KIB, ARGON2_PARALLELISM,
                              password, strlen (password), salt, SALT_LENGTH,
                              HASH_LENGTH, encoded, encoded_length);
  if (rc != ARGON2_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "argon2id: %s", argon2_error_message (rc));
      return NULL;
    }
  return g_steal_pointer (&encoded);
}

/* A hash of a password nobody knows, verified against when the user does
 * not exist, so an unknown name costs as much time as a wrong password. */
static gpointer
make_dummy_hash (gpointer data)
{
  g_autofree char *password = confab_protocol_new_token (24);
  g_autoptr(GError) error = NULL;
  char *hash = hash_password (password, &error);

  if (hash == NULL)
    g_error ("cannot compute the dummy password hash: %s", error->message);
  return hash;
}

static const char *
get_dummy_hash (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, make_dummy_hash, NULL);
}

static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  get_dummy_hash ();
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  char    *user;
  char    *password;
  char    *address;
  char    *stored_hash;    /* login: the user's, NULL when unknown */
  char    *new_hash;       /* register: the result */
  gint64   attempt_time;   /* login: the provisional failure recorded */
  gboolean create;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_free (attempt->user);
  if (attempt->password != NULL)
    explicit_bzero (attempt->password, strlen (attempt->password));
  g_free (attempt->password);
  g_free (attempt->address);
  g_free (attempt->stored_hash);
  g_free (attempt->new_hash);
  g_free (attempt);
}

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Attempt *attempt = task_data;
  GError *error = NULL;

  if (attempt->create)
    {
      attempt->new_hash = hash_password (attempt->password, &error);
      if (attempt->new_hash == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      const char *hash = attempt->stored_hash != NULL ? attempt->stored_hash : get_dummy_hash ();
      int rc = argon2id_verify (hash, attempt->password, strlen (attempt->password));

      if (rc != ARGON2_OK && rc != ARGON2_VERIFY_MISMATCH)
        g_message ("Password hash of “%s” not verifiable: %s", attempt->user,
                   argon2_error_message (rc));
      /* An unknown user never matches, even should the dummy hash do. */
      g_task_return_boolean (task, rc == ARGON2_OK && attempt->stored_hash != NULL);
    }
}

/* ---- Failed logins */

static void
prune (GArray *times,
       gint64  now)
{
  guint expired = 0;

  while (expired < times->len && g_array_index (times, gint64, expired) <= now - FAILURE_WINDOW_USEC)
    expired++;
  if (expired > 0)
    g_array_remove_range (times, 0, expired);
}

/* Seconds until fewer than @limit failures remain in the window, or 0. */
static gint64
limited_for (GHashTable *failures,
             const char *key,
             guint       limit,
             gint64      now)
{
  GArray *times = g_hash_table_lookup (failures, key);
  gint64 until;

  if (times == NULL)
    return 0;

  prune (times, now);
  if (times->len < limit)
    {
      if (times->len == 0)
        g_hash_table_remove (failures, key);
      return 0;
    }

  until = g_array_index (times, gint64, times->len - limit) + FAILURE_WINDOW_USEC;
  return MAX (1, (until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static void
record_failure (GHashTable *failures,
                const char *key,
                gint64      now)
{
  GArray *times = g_hash_table_lookup (failures, key);

  /* Many names tried once each: sweep the stale ones now and then, so the
   * table does not grow without bound. */
  if (times == NULL && g_hash_table_size (failures) >= 4096)
    {
      GHashTableIter iter;

      g_hash_table_iter_init (&iter, failures);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &times))
        {
          prune (times, now);
          if (times->len == 0)
            g_hash_table_iter_remove (&iter);
        }
      times = NULL;
    }

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (failures, g_strdup (key), times);
    }
  g_array_append_val (times, now);
}

static void
forget_failure (GHashTable *failures,
                const char *key,
                gint64      time)
{
  GArray *times = g_hash_table_lookup (failures, key);

  for (guint i = 0; times != NULL && i < times->len; i++)
    if (g_array_index (times, gint64, i) == time)
      {
        g_array_remove_index (times, i);
        break;
      }
}

/* ---- Limits shared by the instances (Redis) */

/* KEYS: the user's and the address's counters; ARGV: window (ms), the two
 * limits. Counts one more failure on both and answers the milliseconds to
 * wait when either is over its limit, else 0. */
static const char count_script[] =
  "local counts = {} "
  "for i, key in ipairs (KEYS) do "
  "  counts[i] = redis.call('INCR', key) "
  "  if counts[i] == 1 then redis.call('PEXPIRE', key, ARGV[1]) end "
  "end "
  "if counts[1] > tonumber(ARGV[2]) or counts[2] > tonumber(ARGV[3]) then "
  "  return math.max(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]), 1) "
  "end "
  "return 0";

/* The attempt was right after all: its failure is taken back. */
static const char uncount_script[] =
  "for i, key in ipairs (KEYS) do "
  "  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end "
  "end "
  "return 0";

void
confabd_accounts_set_bus (ConfabdAccounts *self,
                          ConfabdBus      *bus)
{
  g_return_if_fail (CONFABD_IS_ACCOUNTS (self));

  g_set_object (&self->bus, bus);
}

static void
uncount_shared_failure (ConfabdAccounts *self,
                        Attempt         *attempt)
{
  g_autofree char *user_key = NULL;
  g_autofree char *address_key = NULL;

  if (self->bus == NULL)
    return;
  user_key = g_strconcat (SHARED_USER_KEY, attempt->user, NULL);
  address_key = g_strconcat (SHARED_ADDRESS_KEY, attempt->address, NULL);
  confabd_bus_send (self->bus, "EVAL %s 2 %s %s", uncount_script, user_key, address_key);
}

/* ---- Sessions */

static ConfabdSession *
create_session (ConfabdAccounts  *self,
                const char       *user,
                GError          **error)
{
  g_autoptr(ConfabdSession) session = g_new0 (ConfabdSession, 1);

  session->user = g_strdup (user);
  session->token = confab_protocol_new_token (TOKEN_BYTES);
  session->token_hash = confab_protocol_hash_token (session->token);
  session->expires = g_get_real_time () / G_USEC_PER_SEC + self->session_lifetime;

  if (!confabd_storage_create_session (self->storage, session->token_hash, user,
                                       session->expires, error))
    return NULL;
  return g_steal_pointer (&session);
}

typedef struct
{
  ConfabdAccounts *self;
  GTask           *task;
  GAsyncResult    *result;
} HashDone;

static void
hash_done_free (HashDone *done)
{
  g_object_unref (done->self);
  g_object_unref (done->task);
  g_object_unref (done->result);
  g_free (done);
}

/* The hash is checked: the user or the session is stored. */
static void
hash_done_co (gpointer user_data)
{
  HashDone *done = user_data;
  ConfabdAccounts *self = done->self;
  GTask *task = done->task;
  Attempt *attempt = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ConfabdSession) session = NULL;
  gboolean ok;

  ok = g_task_propagate_boolean (G_TASK (done->result), &error);

  if (attempt->create)
    {
      g_autoptr(ConfabdUser) user = NULL;

      if (!ok)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (g_task_return_error_if_cancelled (task))
        return;

      user = confabd_storage_create_user (self->storage, attempt->user, attempt->new_hash,
                                          &error);
      if (user == NULL)
        {
          if (g_error_matches (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_CONFLICT))
            g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT,
                                     _("The user name “%s” is taken."), attempt->user);
          else
            g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_message ("New user “%s”", attempt->user);
    }
  else
    {
      if (!ok)
        {
          g_message ("Failed login for “%s” from %s", attempt->user, attempt->address);
          g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_UNAUTHORIZED,
                                   "%s", _("Wrong user name or password."));
          return;
        }
      /* It was no failure after all. */
      forget_failure (self->failures_by_user, attempt->user, attempt->attempt_time);
      forget_failure (self->failures_by_address, attempt->address, attempt->attempt_time);
      uncount_shared_failure (self, attempt);
      if (g_task_return_error_if_cancelled (task))
        return;
    }

  session = create_session (self, attempt->user, &error);
  if (session == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&session), (GDestroyNotify) confabd_session_free);
}

static void
hash_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HashDone *done = g_new0 (HashDone, 1);

  done->self = g_object_ref (CONFABD_ACCOUNTS (object));
  done->task = user_data;
  done->result = g_object_ref (result);
  /* Storing waits for the store: on a coroutine, not on the main loop. */
  confabd_coroutine_spawn (hash_done_co, done, (GDestroyNotify) hash_done_free);
}

static void
start_hashing (ConfabdAccounts *self,
               GTask           *task)
{
  g_autoptr(GTask) worker = g_task_new (self, NULL, hash_done_cb, g_object_ref (task));

  g_task_set_source_tag (worker, start_hashing);
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (worker, hash_thread);
}

void
confabd_accounts_register_async (ConfabdAccounts     *self,
                                 const char          *user,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabdUser) existing = NULL;
  g_autoptr(GError) error = NULL;
  Attempt *attempt;

  g_return_if_fail (CONFABD_IS_ACCOUNTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confabd_accounts_register_async);

  if (!confabd_accounts_check_user_name (user, &error) ||
      !confabd_accounts_check_password (password, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Refuse a taken name before paying for a hash (creating the user checks
   * again, for two registrations racing). */
  existing = confabd_storage_lookup_user (self->storage, user, &error);
  if (existing != NULL)
    {
      g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_CONFLICT,
                               _("The user name “%s” is taken."), user);
      return;
    }
  if (!g_error_matches (error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  attempt = g_new0 (Attempt, 1);
  attempt->create = TRUE;
  attempt->user = g_strdup (user);
  attempt->password = g_strdup (password);
  g_task_set_task_data (task, attempt, (GDestroyNotify) attempt_free);

  start_hashing (self, task);
}

ConfabdSession *
confabd_accounts_register_finish (ConfabdAccounts  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The other instances' failures count too. Redis not answering (-1)
 * leaves only this instance's limit, which was checked already. */
static void
shared_count_cb (GObject  *owner,
                 gint64    wait_ms,
                 gpointer  user_data)
{
  ConfabdAccounts *self = CONFABD_ACCOUNTS (owner);
  GTask *task = user_data;
  Attempt *attempt = g_task_get_task_data (task);

  if (wait_ms > 0)
    {
      g_message ("Login for “%s” from %s refused: too many failures on all instances",
                 attempt->user, attempt->address);
      g_object_set_data (G_OBJECT (task), "retry-after",
                         GINT_TO_POINTER ((int) MAX (1, (wait_ms + 999) / 1000)));
      g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
                               "%s", _("Too many failed logins. Try again later."));
      return;
    }
  start_hashing (self, task);
}

void
confabd_accounts_login_async (ConfabdAccounts     *self,
                              const char          *user,
                              const char          *password,
                              const char          *address,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(ConfabdUser) record = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();
  gint64 wait_user, wait_address;
  Attempt *attempt;

  g_return_if_fail (CONFABD_IS_ACCOUNTS (self));
  g_return_if_fail (address != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, confabd_accounts_login_async);

  /* The rules are public: malformed credentials reveal nothing. */
  if (!confabd_accounts_check_user_name (user, &error) ||
      !confabd_accounts_check_password (password, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  wait_user = limited_for (self->failures_by_user, user, MAX_FAILURES_PER_USER, now);
  wait_address = limited_for (self->failures_by_address, address, MAX_FAILURES_PER_ADDR, now);
  if (wait_user > 0 || wait_address > 0)
    {
      g_message ("Login for “%s” from %s refused: too many failures", user, address);
      g_object_set_data (G_OBJECT (task), "retry-after",
                         GINT_TO_POINTER ((int) MAX (wait_user, wait_address)));
      g_task_return_new_error (task, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_RATE_LIMITED,
                               "%s", _("Too many failed logins. Try again later."));
      return;
    }

  record = confabd_storage_lookup_user (self->storage, user, &error);
  if (record == NULL && !g_error_matches (error, CONFABD_STORAGE_ERROR,
                                          CONFABD_STORAGE_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Counted as failed until proven right, so parallel attempts cannot
   * slip past the limit while their hashes are being checked. */
  record_failure (self->failures_by_user, user, now);
  record_failure (self->failures_by_address, address, now);

  attempt = g_new0 (Attempt, 1);
  attempt->user = g_strdup (user);
  attempt->password = g_strdup (password);
  attempt->address = g_strdup (address);
  attempt->stored_hash = record != NULL ? g_strdup (record->password_hash) : NULL;
  attempt->attempt_time = now;
  g_task_set_task_data (task, attempt, (GDestroyNotify) attempt_free);

  if (self->bus != NULL)
    {
      g_autofree char *user_key = g_strconcat (SHARED_USER_KEY, user, NULL);
      g_autofree char *address_key = g_strconcat (SHARED_ADDRESS_KEY, address, NULL);

      confabd_bus_query_int (self->bus, G_OBJECT (self), shared_count_cb, g_object_ref (task),
                             g_object_unref, "EVAL %s 2 %s %s %d %d %d", count_script, user_key,
                             address_key, (int) (FAILURE_WINDOW_USEC / 1000),
                             MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDR);
      return;
    }

  start_hashing (self, task);
}

ConfabdSession *
confabd_accounts_login_finish (ConfabdAccounts  *self,
                               GAsyncResult     *result,
                               gint64           *retry_after,
                               GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  ConfabdSession *session;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (retry_after != NULL)
    *retry_after = 0;

  session = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (session != NULL)
    return session;

  if (retry_after != NULL && g_error_matches (local_error, CONFAB_PROTOCOL_ERROR,
                                              CONFAB_PROTOCOL_ERROR_RATE_LIMITED))
    *retry_after = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "retry-after"));
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

ConfabdSession *
confabd_accounts_auth (ConfabdAccounts  *self,
                       const char       *token,
                       GError          **error)
{
  g_autoptr(ConfabdSession) session = g_new0 (ConfabdSession, 1);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CONFABD_IS_ACCOUNTS (self), NULL);
  g_return_val_if_fail (token != NULL, NULL);

  session->token_hash = confab_protocol_hash_token (token);
  session->user = confabd_storage_lookup_session (self->storage, session->token_hash,
                                                  g_get_real_time () / G_USEC_PER_SEC,
                                                  &session->expires, &local_error);
  if (session->user == NULL)
    {
      if (g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND))
        g_set_error_literal (error, CONFAB_PROTOCOL_ERROR, CONFAB_PROTOCOL_ERROR_EXPIRED,
                             _("The session expired or was revoked. Sign in again."));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&session);
}

gboolean
confabd_accounts_logout (ConfabdAccounts  *self,
                         const char       *token_hash,
                         GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CONFABD_IS_ACCOUNTS (self), FALSE);
  g_return_val_if_fail (token_hash != NULL, FALSE);

  /* Already gone (expired and swept) is as good as revoked. */
  if (!confabd_storage_revoke_session (self->storage, token_hash, &local_error) &&
      !g_error_matches (local_error, CONFABD_STORAGE_ERROR, CONFABD_STORAGE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* ---- GObject */

static void
confabd_accounts_finalize (GObject *object)
{
  ConfabdAccounts *self = CONFABD_ACCOUNTS (object);

  g_clear_object (&self->storage);
  g_clear_object (&self->bus);
  g_clear_pointer (&self->failures_by_user, g_hash_table_unref);
  g_clear_pointer (&self->failures_by_address, g_hash_table_unref);

  G_OBJECT_CLASS (confabd_accounts_parent_class)->finalize (object);
}

static void
confabd_accounts_class_init (ConfabdAccountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confabd_accounts_finalize;
}

static void
confabd_accounts_init (ConfabdAccounts *self)
{
  const char *lifetime = g_getenv ("CONFABD_SESSION_LIFETIME");

  self->failures_by_user = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_array_unref);
  self->failures_by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) g_array_unref);

  /* Tests shorten sessions to see them expire (seconds). */
  self->session_lifetime = SESSION_LIFETIME;
  if (lifetime != NULL && g_ascii_strtoll (lifetime, NULL, 10) > 0)
    self->session_lifetime = g_ascii_strtoll (lifetime, NULL, 10);
}

ConfabdAccounts *
confabd_accounts_new (ConfabdStorage *storage)
{
  ConfabdAccounts *self;

  g_return_val_if_fail (CONFABD_IS_STORAGE (storage), NULL);

  self = g_object_new (CONFABD_TYPE_ACCOUNTS, NULL);
  self->storage = g_object_ref (storage);

  /* Compute the dummy hash now, or the first unknown name would take
   * twice as long as any other login. */
  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

    g_task_set_source_tag (task, confabd_accounts_new);
    g_task_run_in_thread (task, warm_up_thread);
  }

  return self;
}
