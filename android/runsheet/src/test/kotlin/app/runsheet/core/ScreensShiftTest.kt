package app.runsheet.core

import app.runsheet.ffi.Runsheet
import app.runsheet.ffi.RunsheetConfig
import app.runsheet.ffi.ScreenListener
import app.runsheet.ffi.ScreenSubscription
import app.runsheet.ffi.Screens
import app.runsheet.ffi.openRunsheet
import app.runsheet.protocol.TaskStatus
import app.runsheet.screens.Body
import app.runsheet.screens.Effect
import app.runsheet.screens.EffectResult
import app.runsheet.screens.Offer
import app.runsheet.screens.Permission
import app.runsheet.screens.RowDiff
import app.runsheet.screens.Screen
import app.runsheet.screens.ScreenChange
import app.runsheet.screens.ScreenUpdate
import app.runsheet.screens.Tap
import app.runsheet.screens.TapException
import app.runsheet.screens.TaskRow
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.util.concurrent.CopyOnWriteArrayList

/** Row edits applied the way `screens/src/diff.rs` `apply_rows` applies them. */
fun applyRows(rows: List<TaskRow>, diffs: List<RowDiff>): List<TaskRow> {
    val out = rows.toMutableList()
    for (d in diffs) {
        when (d) {
            is RowDiff.Set -> if (d.index.toInt() < out.size) out[d.index.toInt()] = d.row
            is RowDiff.Insert -> out.add(minOf(d.index.toInt(), out.size), d.row)
            is RowDiff.Remove -> if (d.index.toInt() < out.size) out.removeAt(d.index.toInt())
        }
    }
    return out
}

/** Screen changes applied the way `screens/src/diff.rs` `apply` applies them. */
fun applyChanges(screen: Screen, changes: List<ScreenChange>): Screen {
    var s = screen
    for (c in changes) {
        s = when (c) {
            is ScreenChange.Header -> s.copy(header = c.header)
            is ScreenChange.ShiftBar -> s.copy(shiftBar = c.bar)
            is ScreenChange.SyncBanner -> s.copy(syncBanner = c.banner)
            is ScreenChange.Notice -> s.copy(notice = c.notice)
            is ScreenChange.Body -> s.copy(body = c.body)
            is ScreenChange.TaskListSummary -> when (val b = s.body) {
                is Body.Tasks -> s.copy(body = Body.Tasks(b.page.copy(summary = c.summary, emptyText = c.emptyText)))
                else -> s
            }
            is ScreenChange.Rows -> when (val b = s.body) {
                is Body.Tasks -> s.copy(body = Body.Tasks(b.page.copy(rows = applyRows(b.page.rows, c.diffs))))
                else -> s
            }
        }
    }
    return s
}

/**
 * A shell's copy of the screen, kept only from what the listener receives: the whole screen
 * first, then the changes applied to it. Records the effects the core asks for.
 */
class ScreenMirror : ScreenListener {
    @Volatile
    var screen: Screen? = null
    val updates = CopyOnWriteArrayList<ScreenUpdate>()
    val effects = CopyOnWriteArrayList<Effect>()

    /** What went wrong inside a callback (an exception there would not reach the test). */
    val problems = CopyOnWriteArrayList<String>()

    @Synchronized
    override fun onScreen(update: ScreenUpdate) {
        updates.add(update)
        screen = when (update) {
            is ScreenUpdate.Reset -> update.screen
            is ScreenUpdate.Changed -> {
                val old = screen
                if (old == null) {
                    problems.add("changes arrived before the whole screen")
                    null
                } else {
                    applyChanges(old, update.changes)
                }
            }
        }
    }

    override fun onEffect(effect: Effect) {
        effects.add(effect)
    }
}

/**
 * A whole shift played through the screens only, over the real FFI against a real server, the
 * way the Android shell plays it: read the screen, tap the action it offers, until the shift
 * ends; in Chinese and in English. The screen the listener's updates build is checked against
 * the core's screen after every tap, so the diffs themselves are tested across the FFI.
 */
class ScreensShiftTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()
    private val subscriptions = mutableListOf<ScreenSubscription>()
    private val clock = ManualClock(1_795_406_400L)

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

    /** A courier with these parcels (and food orders) assigned, signed in, synced once. */
    private suspend fun open(locale: String, parcels: List<String>, food: List<String> = emptyList()): Runsheet {
        val token = server.createCourier("ann")
        parcels.forEach { server.assign(it, "ann", kind = "parcel", customer = "王女士") }
        food.forEach { server.assign(it, "ann", kind = "food", customer = "Li Wei") }
        val core = openRunsheet(
            RunsheetConfig(File(tmp.root, "ann.db").path, server.url, token, locale = locale),
            clock,
        ).also { opened.add(it) }
        core.sync().now()
        return core
    }

    private suspend fun subscribe(screens: Screens): ScreenMirror {
        val mirror = ScreenMirror()
        subscriptions.add(screens.subscribe(mirror))
        assertTrue("the whole screen first", mirror.updates.single() is ScreenUpdate.Reset)
        return mirror
    }

    /** Taps, then checks the screen the listener's updates built against the core's. */
    private suspend fun tap(screens: Screens, mirror: ScreenMirror, tap: Tap) {
        screens.tap(tap)
        assertEquals("the applied updates after $tap", screens.screen(), mirror.screen)
        assertEquals(emptyList<String>(), mirror.problems.toList())
    }

    /** The tap an offer sends, with the inputs it asks for filled in as a courier would. */
    private fun filled(offer: Offer): Tap = when (val t = offer.tap) {
        is Tap.ArriveManually -> {
            assertEquals(listOf("reason"), offer.inputs.filter { it.required }.map { it.field })
            t.copy(reason = "GPS lost indoors")
        }
        else -> {
            assertTrue("${offer.label} needs no input", offer.inputs.none { it.required })
            t
        }
    }

    /**
     * Plays the shift: the shift bar's primary to start, then each task row's primary (accept,
     * arrive with a reason, pick up, deliver), then the shift bar's primary to end it. Returns
     * the labels tapped.
     */
    private suspend fun walk(screens: Screens, mirror: ScreenMirror): List<String> {
        val labels = mutableListOf<String>()
        for (i in 0 until 40) {
            val screen = screens.screen()
            assertEquals("the listener's copy is the screen", screen, mirror.screen)
            val bar = screen.shiftBar.primary
            if (bar != null && bar.enabled && bar.tap is Tap.StartShift) {
                labels.add(bar.label)
                tap(screens, mirror, bar.tap)
                continue
            }
            val page = (screen.body as? Body.Tasks)?.page
                ?: throw AssertionError("expected the task list, got ${screen.body}")
            val offer = page.rows.firstNotNullOfOrNull { it.primary }
            if (offer == null) {
                val end = bar ?: throw AssertionError("ending the shift is not offered")
                assertTrue("${end.label}: ${end.why}", end.enabled && end.tap is Tap.EndShift)
                labels.add(end.label)
                tap(screens, mirror, end.tap)
                return labels
            }
            assertTrue("${offer.label}: ${offer.why}", offer.enabled)
            labels.add(offer.label)
            tap(screens, mirror, filled(offer))
        }
        throw AssertionError("the shift did not end")
    }

    @Test
    fun `a shift through the screens in Chinese`() = runBlocking {
        val core = open("zh-CN", listOf("P1", "P2"))
        val screens = core.screens()
        val mirror = subscribe(screens)
        val first = screens.screen()
        assertEquals("订单", first.header.title)
        assertEquals("未上班", first.shiftBar.state)
        val labels = walk(screens, mirror)
        assertEquals(
            listOf("开始上班", "接单", "已到达送货点", "确认送达", "接单", "已到达送货点", "确认送达", "下班"),
            labels,
        )
        val end = screens.screen()
        assertEquals("未上班", end.shiftBar.state)
        val rows = (end.body as Body.Tasks).page.rows
        assertEquals(listOf("已送达", "已送达"), rows.map { it.status })
        // Only the first update was the whole screen; every later one carried changes only.
        assertTrue(mirror.updates.drop(1).all { it is ScreenUpdate.Changed && it.changes.isNotEmpty() })
        assertEquals(listOf(TaskStatus.DELIVERED, TaskStatus.DELIVERED), listOf("P1", "P2").map { core.tasks().task(it).status })
        core.sync().now()
        assertEquals(listOf("delivered", "delivered"), listOf("P1", "P2").map { server.status(it) })
        // Starting the shift asked for location, in Chinese, and turned tracking on in the
        // background; ending it turned tracking off.
        assertTrue(
            mirror.effects.toString(),
            mirror.effects.any { it is Effect.RequestPermission && it.permission == Permission.LOCATION && it.rationale.contains("位置") },
        )
        val modes = mirror.effects.filterIsInstance<Effect.SetLocationMode>()
        assertTrue(modes.toString(), modes.any { it.background })
        assertEquals(false, modes.last().background)
        assertEquals(LocationAccuracy.OFF, modes.last().accuracy)
    }

    @Test
    fun `a shift through the screens in English`() = runBlocking {
        val core = open("en-GB", emptyList(), food = listOf("F1"))
        val screens = core.screens()
        val mirror = subscribe(screens)
        assertEquals("Orders", screens.screen().header.title)
        val labels = walk(screens, mirror)
        assertEquals(
            listOf("Start shift", "Accept", "Arrived at pickup", "Picked up", "Arrived at drop-off", "Delivered", "End shift"),
            labels,
        )
        assertEquals(listOf("Delivered"), (screens.screen().body as Body.Tasks).page.rows.map { it.status })
        assertEquals(TaskStatus.DELIVERED, core.tasks().task("F1").status)
    }

    @Test
    fun `a tap the screen does not offer is refused in Chinese and changes nothing`() = runBlocking {
        val core = open("zh-CN", listOf("P1"))
        val screens = core.screens()
        val mirror = subscribe(screens)
        val before = screens.screen()
        // Delivering before the shift even started: not on the screen.
        try {
            screens.tap(Tap.Deliver("P1"))
            fail("a delivery the screen did not offer was accepted")
        } catch (e: TapException.NotOffered) {
            assertEquals("当前页面已没有这个操作。", e.sentence)
        }
        assertEquals(before, screens.screen())
        assertEquals(TaskStatus.ASSIGNED, core.tasks().task("P1").status)
        assertEquals(0uL, core.sync().status().pending)
        assertEquals(1, mirror.updates.size)
        assertTrue(mirror.effects.toString(), mirror.effects.isEmpty())
        // A manual arrival is offered with a reason to fill in; without one the rulebook refuses it.
        tap(screens, mirror, Tap.StartShift)
        tap(screens, mirror, Tap.Accept("P1"))
        val arrive = (screens.screen().body as Body.Tasks).page.rows.single().primary!!
        assertTrue(arrive.tap is Tap.ArriveManually)
        val updates = mirror.updates.size
        try {
            screens.tap(Tap.ArriveManually("P1", " "))
            fail("an arrival without a reason was accepted")
        } catch (e: TapException.Blocked) {
            assertTrue(e.sentence, e.sentence.isNotBlank())
        }
        assertEquals(TaskStatus.ACCEPTED, core.tasks().task("P1").status)
        assertEquals(updates, mirror.updates.size)
    }

    @Test
    fun `starting the shift asks for location, sets the location mode, and takes the answer`() = runBlocking {
        val core = open("zh-CN", listOf("P1"))
        val screens = core.screens()
        val mirror = subscribe(screens)
        tap(screens, mirror, Tap.StartShift)
        val asked = mirror.effects.filterIsInstance<Effect.RequestPermission>()
        assertTrue(asked.toString(), asked.any { it.permission == Permission.LOCATION })
        assertTrue(asked.toString(), asked.all { it.rationale.isNotBlank() })
        val mode = mirror.effects.filterIsInstance<Effect.SetLocationMode>().last()
        assertTrue(mode.toString(), mode.background && mode.accuracy != LocationAccuracy.OFF && mode.intervalS > 0u)
        // The shell answers: location granted, in the background too.
        screens.resolve(EffectResult.Permission(Permission.LOCATION, true))
        screens.resolve(EffectResult.Permission(Permission.BACKGROUND_LOCATION, true))
        assertEquals(screens.screen(), mirror.screen)
        // Asked once: starting a break and ending it does not ask again.
        val count = mirror.effects.count { it is Effect.RequestPermission && it.permission == Permission.LOCATION }
        tap(screens, mirror, Tap.StartBreak)
        tap(screens, mirror, Tap.EndBreak)
        assertEquals(count, mirror.effects.count { it is Effect.RequestPermission && it.permission == Permission.LOCATION })
        assertEquals("上班中", screens.screen().shiftBar.state)
    }

    @Test
    fun `a change of language sends the whole screen again, and time passing only what changed`() = runBlocking {
        val core = open("zh-CN", listOf("P1"))
        val screens = core.screens()
        val mirror = subscribe(screens)
        tap(screens, mirror, Tap.StartShift)
        // Nothing changed while the clock stood still: a refresh sends nothing.
        val quiet = mirror.updates.size
        screens.refresh()
        assertEquals(quiet, mirror.updates.size)
        // Ten minutes on duty: the shift bar's figures change, and only they are sent.
        clock.advance(600)
        screens.refresh()
        val changed = mirror.updates.last() as ScreenUpdate.Changed
        assertTrue(changed.changes.toString(), changed.changes.any { it is ScreenChange.ShiftBar })
        assertEquals(screens.screen(), mirror.screen)
        // The courier switches to English: the whole screen again, in English.
        screens.setLocale("en-US")
        val reset = mirror.updates.last() as ScreenUpdate.Reset
        assertEquals("On duty", reset.screen.shiftBar.state)
        assertEquals("Orders", reset.screen.header.title)
        assertEquals(screens.screen(), mirror.screen)
        // A malformed tag means English too; back to Chinese through the tab the header offers.
        screens.setLocale("!!not a locale")
        assertEquals("Orders", screens.screen().header.title)
        val language = screens.screen().header.tabs.map { it.tap }.filterIsInstance<Tap.SetLanguage>().single()
        tap(screens, mirror, language)
        assertEquals("上班中", mirror.screen!!.shiftBar.state)
    }
}
