package app.runsheet.shell

import app.runsheet.ffi.RunsheetException
import org.junit.Assert.assertEquals
import org.junit.Test

/** What background sync work does with the core's answer: a push is never dropped. */
class SyncWakeTest {
    @Test
    fun aSyncThatRanIsDone() {
        assertEquals(WakeOutcome.DONE, wakeOutcome(null, 0))
    }

    @Test
    fun transientFailuresAreRetriedThenLeftToTheOutbox() {
        for (error in listOf(RunsheetException.Offline("offline"), RunsheetException.SyncFailed("502"))) {
            for (attempt in 0 until WAKE_ATTEMPTS - 1) {
                assertEquals(WakeOutcome.RETRY, wakeOutcome(error, attempt))
            }
            assertEquals(WakeOutcome.DONE, wakeOutcome(error, WAKE_ATTEMPTS - 1))
        }
    }

    @Test
    fun aRefusedTokenSignsInAgain() {
        assertEquals(WakeOutcome.SIGN_IN, wakeOutcome(RunsheetException.AuthRequired("401"), 0))
        assertEquals(WakeOutcome.SIGN_IN, wakeOutcome(RunsheetException.AuthRequired("401"), WAKE_ATTEMPTS))
    }

    @Test
    fun failuresAnotherRunCannotMendEndTheWork() {
        for (error in listOf(
            RunsheetException.Storage("disk"),
            RunsheetException.WrongKey("key"),
            RunsheetException.IncompatibleVersion("newer"),
        )) {
            assertEquals(WakeOutcome.DONE, wakeOutcome(error, 0))
        }
    }
}
