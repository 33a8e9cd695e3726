package app.runsheet.shell

import app.runsheet.ffi.RunsheetException

/** What background sync work does after one run (Element X's WorkManager recipe). */
enum class WakeOutcome {
    /** Done: the core synced, or failed in a way another try cannot mend. */
    DONE,

    /** A transient failure (offline, the server failed): WorkManager tries again with back-off. */
    RETRY,

    /**
     * The server refused the token: the token is forgotten so the screens show sign-in (now
     * and after the next start); the store and its saved actions are kept.
     */
    SIGN_IN,
}

/** How many runs one wake-up gets before it leaves the rest to the core's own auto-sync. */
const val WAKE_ATTEMPTS = 5

/**
 * The outcome of one background sync run: `error` is what the core threw (null: it synced),
 * `attempt` how many runs came before this one. A push or a scheduled sync is never dropped on
 * a transient failure; it is retried until [WAKE_ATTEMPTS] runs have failed, after which the
 * actions stay queued in the core's outbox for its next sync.
 */
fun wakeOutcome(error: RunsheetException?, attempt: Int): WakeOutcome = when (error) {
    null -> WakeOutcome.DONE
    is RunsheetException.AuthRequired -> WakeOutcome.SIGN_IN
    is RunsheetException.Offline, is RunsheetException.SyncFailed ->
        if (attempt + 1 < WAKE_ATTEMPTS) WakeOutcome.RETRY else WakeOutcome.DONE
    // Storage, a wrong key, a newer store, a refused action: another run cannot mend them.
    else -> WakeOutcome.DONE
}
