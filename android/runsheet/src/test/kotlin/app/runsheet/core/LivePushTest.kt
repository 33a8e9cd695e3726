package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import kotlin.concurrent.thread

/**
 * Live updates over the real FFI against a real server: the foreground long-poll the shells
 * switch on with `setForeground`, the push hint they forward with `handlePush`, and the
 * hand-driven `waitForChanges`. Nothing here asserts wall time; only what arrived and what not.
 */
class LivePushTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()
    private val subscriptions = mutableListOf<Subscription>()

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        subscriptions.forEach { it.cancel() }
        opened.forEach {
            it.session().setForeground(false)
            it.sync().stopAuto()
            it.close()
        }
        server.close()
    }

    private suspend fun open(name: String, token: String): Runsheet =
        openRunsheet(RunsheetConfig(File(tmp.root, "$name.db").path, server.url, token)).also { opened.add(it) }

    private suspend fun waitFor(what: String, timeoutMs: Long = 20_000, cond: suspend () -> Boolean) {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (!cond()) {
            if (System.currentTimeMillis() > deadline) fail("never happened: $what")
            Thread.sleep(20)
        }
    }

    /** Waits until no sync event came for `quietMs` (the auto-sync loop is parked in a wait). */
    private fun settle(sync: RecordingSyncListener, quietMs: Long = 1_000) {
        val deadline = System.currentTimeMillis() + 15_000
        var seen = sync.events.size
        var since = System.currentTimeMillis()
        while (System.currentTimeMillis() - since < quietMs) {
            if (System.currentTimeMillis() > deadline) fail("auto-sync never went quiet")
            Thread.sleep(20)
            if (sync.events.size != seen) {
                seen = sync.events.size
                since = System.currentTimeMillis()
            }
        }
    }

    private suspend fun ids(core: Runsheet): Set<String> = core.tasks().all().map { it.id }.toSet()

    @Test
    fun `a dispatched task reaches a foreground core by the long-poll, and a push wakes a background one`() = runBlocking {
        val token = server.createCourier("ann")
        val core = open("ann", token)
        val sync = RecordingSyncListener()
        subscriptions += core.sync().subscribe(sync)
        // An interval of an hour: the periodic sync cannot be what brings the tasks below.
        core.sync().startAuto(3600u)
        core.session().setForeground(true)
        waitFor("the initial sync") { core.sync().status().lastSuccessAt != null }
        settle(sync)

        server.assign("T1", "ann")
        waitFor("the foreground long-poll brings T1") { "T1" in ids(core) }

        // In the background: no long-poll, and the next periodic sync is an hour away.
        val before = sync.events.size
        core.session().setForeground(false)
        // Leaving the foreground ends the long-poll with one sync; let it finish first.
        runCatching { waitFor("the sync on leaving the foreground", timeoutMs = 5_000) { sync.events.size > before } }
        settle(sync)
        server.assign("T2", "ann")
        Thread.sleep(3_000)
        assertFalse("T2 arrived in the background without a push", "T2" in ids(core))

        // The FCM data map as the Android service forwards it.
        assertTrue(core.session().handlePush("{\"data\":{\"runsheet\":\"sync\"}}"))
        waitFor("the push hint brings T2") { "T2" in ids(core) }
        assertEquals(setOf("T1", "T2"), ids(core))
    }

    @Test
    fun `only Runsheet's sync hint is taken, and a payload that is not a JSON object is refused`() = runBlocking {
        val token = server.createCourier("ann")
        val core = open("ann", token)
        assertFalse(core.session().handlePush("{\"other\":\"x\"}"))
        assertFalse(core.session().handlePush("{\"runsheet\":\"something-else\"}"))
        assertTrue(core.session().handlePush("{\"runsheet\":\"sync\"}")) // APNs user info: at the top level
        assertTrue(core.session().handlePush("{\"data\":{\"runsheet\":\"sync\"}}"))
        for (bad in listOf("not json", "[\"runsheet\",\"sync\"]")) {
            try {
                core.session().handlePush(bad)
                fail("accepted $bad")
            } catch (e: RunsheetException) {
                assertTrue("$bad: ${e::class.simpleName}", e is RunsheetException.InvalidArgument)
                assertTrue(e.message!!.isNotBlank())
            }
        }
    }

    @Test
    fun `waiting by hand answers false when nothing changed and true once the dispatcher assigns`() = runBlocking {
        val token = server.createCourier("ann")
        val core = open("ann", token)
        core.sync().now()
        assertFalse(core.sync().waitForChanges(2u))

        // Assigned while the long-poll is open.
        val dispatcher = thread {
            Thread.sleep(300)
            server.assign("T1", "ann")
        }
        val woke = core.sync().waitForChanges(10u)
        dispatcher.join()
        assertTrue(woke)
        // Nothing was applied by waiting: the sync brings it.
        assertTrue(core.tasks().all().isEmpty())
        core.sync().now()
        assertEquals(setOf("T1"), ids(core))

        // Assigned before the wait: answered at once.
        server.assign("T2", "ann")
        assertTrue(core.sync().waitForChanges(2u))
        core.sync().now()
        assertFalse(core.sync().waitForChanges(1u))
        assertEquals(setOf("T1", "T2"), ids(core))
    }
}
