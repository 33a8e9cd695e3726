package app.runsheet.core

import app.runsheet.ffi.*
import app.runsheet.protocol.*
import app.runsheet.screens.Body
import app.runsheet.screens.Tap
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList

/** Collects task-list updates from the core (called on the core's thread). */
class RecordingTaskListener : TaskListener {
    val updates = CopyOnWriteArrayList<TaskListUpdate>()
    override fun onUpdate(update: TaskListUpdate) {
        updates.add(update)
    }
}

/** Collects sync events. */
class RecordingSyncListener : SyncListener {
    val events = CopyOnWriteArrayList<SyncEvent>()
    override fun onSyncEvent(event: SyncEvent) {
        events.add(event)
    }
}

/**
 * The Kotlin bindings over the real Rust library (JNA) against a real `runsheet serve` process:
 * what the Android shell relies on, crossing the actual FFI.
 */
class RunsheetCoreTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()

    /**
     * Subscriptions end when cancelled or garbage-collected (as the API documents), so a test
     * keeps every one reachable here until it ends, as an app keeps them in its view model.
     */
    private val subscriptions = mutableListOf<Subscription>()

    private fun keep(sub: Subscription): Subscription = sub.also { subscriptions.add(it) }

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        subscriptions.forEach { it.cancel() }
        opened.forEach { it.close() }
        server.close()
    }

    /** Accepts each task and confirms the arrival at its door by hand: delivering is next. */
    private suspend fun walkToDoor(core: Runsheet, vararg ids: String) {
        for (id in ids) {
            core.tasks().accept(id)
            core.tasks().arriveManually(id, "test: at the door")
        }
    }

    private suspend fun open(name: String, token: String, url: String = server.url): Runsheet =
        openRunsheet(RunsheetConfig(File(tmp.root, "$name.db").path, url, token)).also { opened.add(it) }

    @Test
    fun `the courier sees the tasks the dispatcher assigned`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("F1", "ann", kind = "food", customer = "Li Wei")
        server.assign("P1", "ann", kind = "parcel")
        val core = open("ann", token)
        assertTrue(core.tasks().all().isEmpty())
        val report = core.sync().now()
        assertEquals(2uL, report.pulledChanges)
        val tasks = core.tasks().all()
        assertEquals(setOf("F1", "P1"), tasks.map { it.id }.toSet())
        val f1 = core.tasks().task("F1")
        assertEquals(TaskKind.FOOD, f1.kind)
        assertEquals(TaskStatus.ASSIGNED, f1.status)
        assertEquals("Li Wei", f1.dropoff.name)
        assertNotNull(f1.pickup)
        assertNull(core.tasks().task("P1").pickup)
        // New tasks: the rulebook's one button is "Accept"; delivering is not possible yet.
        assertTrue(tasks.all { it.status == TaskStatus.ASSIGNED })
        assertTrue(tasks.all { core.tasks().nextAction(it.id)?.step == Step.Accept })
    }

    @Test
    fun `a delivery is saved at once and applied on the server exactly once`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        server.assign("T2", "ann")
        val core = open("ann", token)
        core.sync().now()
        walkToDoor(core, "T1")
        core.sync().now()
        val deliver = core.tasks().nextAction("T1")!!
        assertEquals(Step.Deliver, deliver.step)
        assertTrue(deliver.blockers.toString(), deliver.blockers.isEmpty())
        core.tasks().markDelivered("T1")
        val t1 = core.tasks().task("T1")
        assertEquals(TaskStatus.DELIVERED, t1.status)
        assertNull(core.tasks().nextAction("T1"))
        // The ratings screen offers to rate the delivered task's stops.
        val screens = core.screens()
        screens.tap(Tap.ShowRatings)
        assertEquals(listOf("T1"), (screens.screen().body as Body.Ratings).page.toRate.map { it.taskId })
        assertEquals(1u, t1.pendingActions)
        assertEquals(1uL, core.sync().status().pending)

        val r = core.sync().now()
        assertEquals(1uL, r.pushed)
        assertEquals(0uL, r.pending)
        core.sync().now()
        assertEquals(listOf(Recorded(3, "T1", "applied")), server.deliveries("ann"))
        assertEquals("delivered", server.status("T1"))
        assertEquals("assigned", server.status("T2"))
        assertEquals(0u, core.tasks().task("T1").pendingActions)
    }

    @Test
    fun `the listener gets the whole list first then what changed, until cancelled`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        server.assign("T2", "ann")
        val core = open("ann", token)
        val listener = RecordingTaskListener()
        val sub = keep(core.tasks().subscribe(listener))
        assertEquals(1, listener.updates.size)
        assertTrue(listener.updates[0].tasks.isEmpty())

        core.sync().now()
        assertEquals(listOf("T1", "T2"), listener.updates.last().added.sorted())
        walkToDoor(core, "T1", "T2")
        core.tasks().markDelivered("T2")
        val last = listener.updates.last()
        assertEquals(listOf("T2"), last.updated)
        assertTrue(last.added.isEmpty() && last.removed.isEmpty())
        assertEquals(TaskStatus.DELIVERED, last.tasks.first { it.id == "T2" }.status)

        sub.cancel()
        val seen = listener.updates.size
        core.tasks().markDelivered("T1")
        core.sync().now()
        assertEquals(seen, listener.updates.size)
        sub.cancel() // twice is fine
    }

    @Test
    fun `errors come in the app's language`() = runBlocking {
        val token = server.createCourier("wang")
        val config = RunsheetConfig(File(tmp.root, "wang.db").path, server.url, token, locale = "zh-CN")
        val core = openRunsheet(config).also { opened.add(it) }
        try {
            core.tasks().markDelivered("nope")
            fail("an unknown task was accepted")
        } catch (e: RunsheetException.NotFound) {
            assertEquals("订单nope不在您的任务列表中。", e.message)
        }
    }

    @Test
    fun `refused calls are typed exceptions with readable messages`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", token)
        core.sync().now()
        try {
            core.tasks().markDelivered("nope")
            fail("an unknown task was accepted")
        } catch (e: RunsheetException.NotFound) {
            assertEquals("Task nope is not on your list.", e.message)
        }
        try {
            core.tasks().markDelivered("T1")
            fail("a new task was delivered without the workflow")
        } catch (e: RunsheetException.NotAllowed) {
            assertEquals("Task T1 (New order): delivering is not possible now.", e.message)
        }
        walkToDoor(core, "T1")
        core.tasks().markDelivered("T1")
        try {
            core.tasks().markDelivered("T1")
            fail("a second delivery was accepted")
        } catch (e: RunsheetException.NotAllowed) {
            assertEquals("Task T1 (Delivered): delivering is not possible now.", e.message)
        }
        try {
            openRunsheet(RunsheetConfig(File(tmp.root, "x.db").path, "ftp://nowhere", "t"))
            fail("a bad server URL was accepted")
        } catch (e: RunsheetException.InvalidArgument) {
            // The courier reads a sentence; the developer's detail goes to the log.
            assertEquals("That input cannot be used. Check it and try again.", e.message)
        }
        try {
            openRunsheet(RunsheetConfig(File(tmp.root, "no/such/dir/x.db").path, server.url, "t"))
            fail("an unopenable store was accepted")
        } catch (e: RunsheetException.Storage) {
            assertTrue(e.message!!.isNotEmpty())
        }
        assertEquals(3uL, core.sync().status().pending)
    }

    @Test
    fun `an action taken offline reaches the server once the network returns`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        server.assign("T2", "ann")
        val core = open("ann", token)
        val events = RecordingSyncListener()
        keep(core.sync().subscribe(events))
        core.sync().now()
        walkToDoor(core, "T1", "T2")
        core.tasks().markDelivered("T1")
        core.sync().now()

        server.kill()
        core.tasks().markDelivered("T2")
        try {
            core.sync().now()
            fail("sync succeeded with the server dead")
        } catch (e: RunsheetException.Offline) {
            assertTrue(e.message!!.contains("saved"))
        }
        val status = core.sync().status()
        assertEquals(1uL, status.pending)
        assertNotNull(status.lastError)
        assertNotNull(status.oldestPendingAt)
        assertNotNull(events.events.last().status.lastError)
        assertEquals(TaskStatus.DELIVERED, core.tasks().task("T2").status)

        server.restart()
        val r = core.sync().now()
        assertEquals(1uL, r.pushed)
        assertEquals(0uL, core.sync().status().pending)
        assertNull(core.sync().status().lastError)
        assertEquals(
            listOf(Recorded(5, "T1", "applied"), Recorded(6, "T2", "applied")),
            server.deliveries("ann"),
        )
        assertEquals(0uL, events.events.last().status.pending)
    }

    @Test
    fun `the app killed before syncing loses nothing`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        open("ann", token).use { core ->
            core.sync().now()
            walkToDoor(core, "T1")
            core.tasks().markDelivered("T1")
        }
        opened.clear()
        val again = open("ann", token)
        assertEquals(3uL, again.sync().status().pending)
        assertEquals(TaskStatus.DELIVERED, again.tasks().task("T1").status)
        assertEquals(3uL, again.sync().now().pushed)
        assertEquals(3, server.mutations("ann").size)
    }

    @Test
    fun `a courier sees only their own tasks`() = runBlocking {
        val ann = server.createCourier("ann")
        val bob = server.createCourier("bob")
        server.assign("A1", "ann")
        server.assign("B1", "bob")
        val a = open("ann", ann)
        val b = open("bob", bob)
        a.sync().now()
        b.sync().now()
        assertEquals(listOf("A1"), a.tasks().all().map { it.id })
        assertEquals(listOf("B1"), b.tasks().all().map { it.id })
        try {
            b.tasks().markDelivered("A1")
            fail("bob delivered ann's task")
        } catch (e: RunsheetException.NotFound) {
        }
        assertEquals("assigned", server.status("A1"))
    }

    @Test
    fun `a refused token asks the shell's provider once, then signs in again`() = runBlocking {
        val good = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", "expired")
        val events = RecordingSyncListener()
        keep(core.sync().subscribe(events))
        try {
            core.sync().now()
            fail("a bad token was accepted")
        } catch (e: RunsheetException.AuthRequired) {
            assertTrue(e.message!!.contains("Sign in again"))
        }
        assertTrue(events.events.last().authRequired)

        var calls = 0
        core.session().setTokenProvider(object : TokenProvider {
            override fun freshToken(): String? {
                calls++
                return good
            }
        })
        core.sync().now()
        core.sync().now()
        assertEquals(1, calls)
        assertEquals(listOf("T1"), core.tasks().all().map { it.id })
    }

    @Test
    fun `a delivery of a task cancelled meanwhile comes back as a notice`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        server.assign("T2", "ann")
        val core = open("ann", token)
        val events = RecordingSyncListener()
        keep(core.sync().subscribe(events))
        core.sync().now()
        walkToDoor(core, "T1", "T2")
        core.sync().now()
        server.cancel("T1")
        core.tasks().markDelivered("T1")
        val r = core.sync().now()
        assertEquals(1uL, r.rejected)
        val notice = events.events.last().newRejections.single()
        assertEquals("T1", notice.taskId)
        assertEquals("invalid_state", notice.code)
        assertEquals(TaskStatus.CANCELLED, core.tasks().task("T1").status)
        assertNull(core.tasks().nextAction("T1"))
        assertEquals(listOf(Recorded(5, "T1", "rejected")), server.deliveries("ann"))
        assertEquals(1, core.sync().rejections().size)
    }

    @Test
    fun `a proof photo follows the delivery`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", token)
        core.sync().now()
        walkToDoor(core, "T1")
        val photo = tmp.newFile("door.jpg").apply { writeBytes("JPEG at the door".toByteArray()) }
        val a = core.scans().attachFile(photo.path)
        assertEquals(64, a.sha256.length)
        assertEquals(UploadState.PENDING, a.state)
        core.tasks().markDeliveredWithProof("T1", listOf(a.sha256))
        assertEquals(1uL, core.sync().status().pendingUploads)
        assertEquals(404, server.attachmentStatus(a.sha256))
        val r = core.sync().now()
        assertEquals(1uL, r.uploaded)
        assertEquals(UploadState.UPLOADED, core.scans().attachments().single().state)
        assertEquals(200, server.attachmentStatus(a.sha256))
    }

    @Test
    fun `the core reads the clock the shell gives it`() = runBlocking {
        val token = server.createCourier("ann")
        val fixed = 1_795_400_000L
        val core = openRunsheet(
            RunsheetConfig(File(tmp.root, "clock.db").path, server.url, token),
            object : DeviceClock {
                override fun nowUnixSeconds(): Long = fixed
            },
        ).also { opened.add(it) }
        server.assign("T1", "ann")
        core.sync().now()
        walkToDoor(core, "T1")
        core.tasks().markDelivered("T1")
        assertEquals(fixed, core.sync().status().oldestPendingAt)
    }

    @Test
    fun `auto sync sends an action without an explicit sync call`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", token)
        core.sync().startAuto(3600u)
        suspend fun waitFor(what: String, cond: suspend () -> Boolean) {
            val deadline = System.currentTimeMillis() + 20_000
            while (!cond()) {
                if (System.currentTimeMillis() > deadline) fail("never happened: $what")
                Thread.sleep(20)
            }
        }
        waitFor("the first automatic sync pulls the task") { core.tasks().all().isNotEmpty() }
        walkToDoor(core, "T1")
        core.tasks().markDelivered("T1")
        waitFor("the action leaves the phone") { core.sync().status().pending == 0uL }
        core.sync().stopAuto()
        assertEquals(listOf(Recorded(3, "T1", "applied")), server.deliveries("ann"))
    }

    @Test
    fun `a subscription nobody holds ends when collected`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", token)
        val listener = RecordingTaskListener()
        core.tasks().subscribe(listener).close() // what the garbage collector's cleaner does
        core.sync().now()
        assertEquals(1, listener.updates.size) // only the snapshot given at subscription
    }

    @Test
    fun `a listener that throws does not break the core`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("T1", "ann")
        val core = open("ann", token)
        keep(core.tasks().subscribe(object : TaskListener {
            override fun onUpdate(update: TaskListUpdate) = throw IllegalStateException("buggy screen")
        }))
        keep(core.sync().subscribe(object : SyncListener {
            override fun onSyncEvent(event: SyncEvent) = throw IllegalStateException("buggy badge")
        }))
        core.sync().now()
        walkToDoor(core, "T1")
        core.tasks().markDelivered("T1")
        assertEquals(3uL, core.sync().now().pushed)
        assertEquals(3, server.mutations("ann").size)
    }

    @Test
    fun `the core's logs reach the shell's sink without customer data`() = runBlocking {
        val records = CopyOnWriteArrayList<LogRecord>()
        setLogSink(object : LogSink {
            override fun log(record: LogRecord) {
                records.add(record)
            }
        }, LogLevel.DEBUG)
        val token = server.createCourier("ann")
        server.assign("T1", "ann", customer = "Zhang Secretname")
        val core = open("ann", token)
        core.sync().now()
        walkToDoor(core, "T1")
        core.tasks().markDelivered("T1")
        core.sync().now()
        assertTrue(records.any { it.target.startsWith("runsheet_core") && it.text.contains("courier action saved") })
        assertTrue(records.none { it.text.contains("Secretname") || it.text.contains(token) })
    }
}
