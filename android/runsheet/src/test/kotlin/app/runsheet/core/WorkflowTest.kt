package app.runsheet.core

import app.runsheet.gs1.ScanSymbology
import app.runsheet.route.MapApp
import app.runsheet.ffi.*
import app.runsheet.protocol.*
import app.runsheet.screens.Body
import app.runsheet.screens.Tap
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Before
import org.junit.Rule
import org.junit.Test
import org.junit.rules.TemporaryFolder
import java.io.File
import java.util.concurrent.atomic.AtomicLong

/** A clock the test moves by hand (the core reads it through the FFI). */
class ManualClock(start: Long) : DeviceClock {
    val now = AtomicLong(start)
    override fun nowUnixSeconds(): Long = now.get()
    fun advance(seconds: Long) {
        now.addAndGet(seconds)
    }
}

/**
 * The courier's workflow as the Android shell drives it, over the real FFI against a real
 * server: one primary action per task, guards that say what is missing, exceptions and the
 * return leg, customer contact, the shift, navigation hints and the location request.
 */
class WorkflowTest {
    @get:Rule
    val tmp = TemporaryFolder()

    private lateinit var server: TestServer
    private val opened = mutableListOf<Runsheet>()
    private val clock = ManualClock(1_795_406_400L)

    @Before
    fun startServer() {
        server = TestServer.start(tmp.newFolder("server"))
    }

    @After
    fun stop() {
        opened.forEach { it.close() }
        server.close()
    }

    private suspend fun open(name: String, token: String): Runsheet =
        openRunsheet(RunsheetConfig(File(tmp.root, "$name.db").path, server.url, token), clock)
            .also { opened.add(it) }

    @Test
    fun `a food order walks its workflow with one button at a time`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("F1", "ann", kind = "food", customer = "Li Wei")
        val core = open("ann", token)
        core.sync().now()
        assertEquals(Step.Accept, core.tasks().nextAction("F1")!!.step)
        core.tasks().accept("F1")
        // GPS has not seen the arrival: the button says so, with the distance.
        core.navigation().recordLocation(30.289, 120.141, 8.0)
        val arrive = core.tasks().nextAction("F1")!!
        assertEquals(Step.Arrive(StopRole.PICKUP), arrive.step)
        assertEquals("Arrived at pickup", arrive.step.label())
        assertEquals(listOf(Blocker.NotArrived::class), arrive.blockers.map { it::class })
        assertTrue(arrive.blockers[0].toString(), arrive.blockers[0].toString().contains("1.1 km"))
        // A manual arrival needs a reason.
        try {
            core.tasks().arriveManually("F1", " ")
            fail("an arrival without a reason was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("give a reason"))
        }
        core.tasks().arriveManually("F1", "GPS lost in the mall")
        assertEquals(TaskStatus.AT_PICKUP, core.tasks().task("F1").status)
        core.tasks().pickUp("F1")
        assertEquals(Step.Arrive(StopRole.DROPOFF), core.tasks().nextAction("F1")!!.step)
        // GPS detects the arrival at the door: fixes inside the radius for the dwell time.
        repeat(6) {
            core.navigation().recordLocation(30.27, 120.13, 6.0)
            clock.advance(5)
        }
        val t = core.tasks().task("F1")
        assertEquals(TaskStatus.AT_DROPOFF, t.status)
        assertEquals(Step.Deliver, core.tasks().nextAction("F1")!!.step)
        core.tasks().markDelivered("F1")
        assertNull(core.tasks().nextAction("F1"))
        val kinds = core.tasks().timeline("F1").map { it.kind }
        assertEquals(listOf("accept", "arrive", "pick_up", "arrive", "delivered"), kinds)
        assertEquals(ArrivalMethod.GPS, (core.tasks().timeline("F1")[3].action as Action.Arrive).method)
        core.sync().now()
        assertEquals("delivered", server.status("F1"))
        val list = core.tasks().grouped()
        assertEquals(1u, list.doneTodayCount)
        assertEquals(TaskGroup.DONE_TODAY, list.entries.single().group)
    }

    @Test
    fun `an unreachable customer needs attempts and the wait, then the goods go back`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("P1", "ann", kind = "parcel")
        val core = open("ann", token)
        core.sync().now()
        core.tasks().accept("P1")
        core.tasks().arriveManually("P1", "indoor")
        try {
            core.tasks().reportException("P1", ExceptionReason.CUSTOMER_UNREACHABLE, null, emptyList(), null)
            fail("unreachable reported without trying")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("2 times"))
            assertTrue(e.message!!, e.message!!.contains("10 min"))
        }
        core.tasks().recordContactAttempt("P1", ContactChannel.CALL, false)
        core.tasks().recordContactAttempt("P1", ContactChannel.MESSAGE, false)
        clock.advance(600)
        core.tasks().reportException("P1", ExceptionReason.CUSTOMER_UNREACHABLE, "no answer", emptyList(), null)
        assertEquals(TaskStatus.FAILED, core.tasks().task("P1").status)
        assertEquals(Step.Return, core.tasks().nextAction("P1")!!.step)
        core.tasks().markReturned("P1")
        core.sync().now()
        assertEquals("returned", server.status("P1"))
        assertEquals(listOf("exception:customer_unreachable"), server.afterSalesKinds())
    }

    @Test
    fun `the shift, the hint to the next stop, messages and the location request`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("F1", "ann", kind = "food", customer = "Li Wei")
        val core = open("ann", token)
        assertEquals(Step.StartShift, core.shift().nextAction().step)
        assertEquals(LocationAccuracy.OFF, core.navigation().locationRequest().accuracy)
        core.shift().start()
        core.sync().now()
        assertEquals("on_duty", server.courierStatus("ann"))
        assertEquals(Step.Accept, core.shift().nextAction().step)
        core.tasks().accept("F1")
        // Far from the restaurant: coarse and slow; close: fine and fast.
        core.navigation().recordLocation(30.32, 120.141, 10.0)
        assertEquals(LocationAccuracy.COARSE, core.navigation().locationRequest().accuracy)
        clock.advance(600)
        core.navigation().recordLocation(30.2815, 120.141, 10.0)
        val req = core.navigation().locationRequest()
        assertEquals(LocationAccuracy.FINE, req.accuracy)
        assertEquals(3u, req.intervalSeconds)
        val hint = core.navigation().nextStopHint()!!
        assertEquals("F1", hint.stop.taskId)
        assertEquals(StopRole.PICKUP, hint.stop.role)
        assertEquals("south", hint.compass)
        assertTrue(hint.distanceM!! in 270.0..290.0)
        assertEquals(MapApp.entries.toSet(), hint.links.map { it.app }.toSet())
        assertTrue(hint.links.first { it.app == MapApp.AMAP }.url.contains("coordinate=gaode"))
        assertNotNull(core.navigation().route().finish)
        core.tasks().arriveManually("F1", "GPS slow")
        core.tasks().pickUp("F1")
        try {
            core.shift().end()
            fail("the shift ended with goods in the box")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!.contains("goods"))
        }
        core.tasks().sendMessage("F1", MessageTemplate.AT_THE_DOOR)
        core.tasks().arriveManually("F1", "indoor")
        core.tasks().markDelivered("F1")
        core.shift().end()
        core.sync().now()
        assertEquals(listOf("您的骑手已到达门口。"), server.messages("F1"))
        assertEquals("off_duty", server.courierStatus("ann"))
        val summary = core.shift().summary()
        assertEquals(ShiftState.OFF_DUTY, summary.state)
        assertEquals(1u, summary.delivered)
        assertFalse(summary.distanceM < 4000.0)
    }

    @Test
    fun `every kind and every exception crosses the FFI`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("F1", "ann", kind = "food")
        server.assign("G1", "ann", kind = "grocery")
        server.assign("P1", "ann", kind = "parcel")
        server.assign("R1", "ann", kind = "return_pickup")
        server.assign("P2", "ann", kind = "parcel")
        val core = open("ann", token)
        core.sync().now()
        assertEquals(
            setOf(TaskKind.FOOD, TaskKind.GROCERY, TaskKind.PARCEL, TaskKind.RETURN_PICKUP),
            core.tasks().all().map { it.kind }.toSet(),
        )
        listOf("F1", "G1", "P1", "R1", "P2").forEach { core.tasks().accept(it) }
        // Merchant delay and a breakdown before the pickup: reported, the task goes on.
        core.tasks().arriveManually("F1", "inside the mall")
        core.tasks().reportMerchantDelay("F1", "kitchen late", emptyList(), 20u)
        assertEquals(clock.now.get() + 1200, core.tasks().task("F1").pickup!!.readyAt)
        assertEquals(TaskStatus.AT_PICKUP, core.tasks().task("F1").status)
        assertEquals(Step.PickUp, core.tasks().nextAction("F1")!!.step)
        // Nothing is delivered yet: the ratings screen offers nothing to rate.
        val screens = core.screens()
        screens.tap(Tap.ShowRatings)
        assertTrue((screens.screen().body as Body.Ratings).page.toRate.isEmpty())
        core.tasks().reportException("G1", ExceptionReason.VEHICLE_BREAKDOWN, "flat tyre", emptyList(), null)
        assertEquals(TaskStatus.ACCEPTED, core.tasks().task("G1").status)
        // An accident and damaged goods need a photo.
        try {
            core.tasks().reportException("G1", ExceptionReason.ACCIDENT, null, emptyList(), null)
            fail("an accident without a photo was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!.contains("photo"))
        }
        val photo = tmp.newFile("scene.jpg").apply { writeBytes("photo".toByteArray()) }
        val sha = core.scans().attachFile(photo.path).sha256
        core.tasks().reportException("G1", ExceptionReason.ACCIDENT, "slipped", listOf(sha), null)
        core.tasks().pickUp("F1")
        core.tasks().arriveManually("F1", "indoor")
        core.tasks().reportException("F1", ExceptionReason.GOODS_DAMAGED, "lid off", listOf(sha), null)
        // A wrong address found on the way, a refusal at the door.
        core.tasks().reportException("P1", ExceptionReason.WRONG_ADDRESS, "no such number", emptyList(), null)
        core.tasks().arriveManually("P2", "gate")
        core.tasks().reportException("P2", ExceptionReason.CUSTOMER_REFUSED, null, emptyList(), null)
        // The return pickup is collected from the customer and brought to the merchant.
        core.tasks().arriveManually("R1", "customer's building")
        core.tasks().pickUp("R1")
        core.tasks().arriveManually("R1", "merchant")
        core.tasks().markDelivered("R1")
        assertEquals(
            listOf(TaskStatus.FAILED, TaskStatus.FAILED, TaskStatus.FAILED, TaskStatus.DELIVERED),
            listOf("F1", "P1", "P2", "R1").map { core.tasks().task(it).status },
        )
        core.sync().now()
        assertEquals(
            listOf(
                "exception:merchant_delay",
                "exception:vehicle_breakdown",
                "exception:accident",
                "exception:goods_damaged",
                "exception:wrong_address",
                "exception:customer_refused",
            ),
            server.afterSalesKinds(),
        )
    }

    @Test
    fun `a handoff is confirmed by scanning every bag`() = runBlocking {
        val token = server.createCourier("ann")
        server.assignWithItems("F1", "ann", listOf("RS1:F1:1/2:A", "RS1:F1:2/2:2"))
        server.assignWithItems("F2", "ann", listOf("RS1:F2:1/1:H"))
        val core = open("ann", token)
        core.sync().now()
        core.tasks().accept("F1")
        core.tasks().arriveManually("F1", "food court")
        // The camera reports the first bag three times: one confirmation, then repeats.
        val first = core.scans().scan("F1", "RS1:F1:1/2:A", ScanSymbology.QR_CODE)
        assertTrue(first.outcome is ScanOutcome.Confirmed)
        assertEquals(ScanOutcome.Repeat, core.scans().scan("F1", "RS1:F1:1/2:A", ScanSymbology.QR_CODE).outcome)
        assertEquals("1 of 2 items confirmed", first.progress.text())
        // The other order's bag: wrong bag, and which task it belongs to.
        val wrong = core.scans().scan("F1", "RS1:F2:1/1:H", ScanSymbology.QR_CODE)
        assertEquals("F2", (wrong.outcome as ScanOutcome.OtherTask).taskId)
        assertTrue(wrong.outcome.toString(), wrong.outcome.toString().contains("F2"))
        // A misread label is caught.
        assertTrue(core.scans().scan("F1", "RS1:F1:2/2:3", ScanSymbology.QR_CODE).outcome is ScanOutcome.Unreadable)
        // The pickup waits for the missing bag, and says which.
        assertEquals(listOf(Blocker.ItemsNotConfirmed::class), core.tasks().nextAction("F1")!!.blockers.map { it::class })
        try {
            core.tasks().pickUp("F1")
            fail("picked up with a bag missing")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!, e.message!!.contains("Bag 2"))
        }
        // The second label is torn: confirmed by hand, which needs a photo.
        try {
            core.scans().confirmItemManually("F1", "RS1:F1:2/2:2", "label torn", emptyList())
            fail("a manual confirmation without a photo was accepted")
        } catch (e: RunsheetException.Blocked) {
            assertTrue(e.message!!.contains("photo"))
        }
        val photo = tmp.newFile("bag.jpg").apply { writeBytes("bag".toByteArray()) }
        core.scans().confirmItemManually("F1", "RS1:F1:2/2:2", "label torn", listOf(core.scans().attachFile(photo.path).sha256))
        assertEquals(2u, core.scans().progress("F1").confirmed)
        core.tasks().pickUp("F1")
        // At the door the bags are scanned again.
        core.tasks().arriveManually("F1", "indoor")
        assertEquals(2u, core.scans().progress("F1").missing.size.toUInt())
        core.scans().scan("F1", "RS1:F1:1/2:A", ScanSymbology.QR_CODE)
        core.scans().scan("F1", "RS1:F1:2/2:2", ScanSymbology.QR_CODE)
        core.tasks().markDelivered("F1")
        core.sync().now()
        assertEquals("delivered", server.status("F1"))
    }

    @Test
    fun `the customer's handoff code is checked offline and locks after five wrong tries`() = runBlocking {
        val token = server.createCourier("ann")
        server.assignWithCode("P1", "ann", "482913")
        val core = open("ann", token)
        core.sync().now()
        val task = core.tasks().task("P1")
        assertTrue(task.handoffCodeRequired)
        assertFalse(task.handoffVerified)
        server.kill() // offline from here: the check needs no network
        assertEquals(HandoffCheck.Wrong(4u), core.scans().verifyHandoffCode("P1", "000000"))
        assertEquals(HandoffCheck.Verified, core.scans().verifyHandoffCode("P1", "482913"))
        assertTrue(core.tasks().task("P1").handoffVerified)
        repeat(3) { core.scans().verifyHandoffCode("P1", "1") } // verified stays verified
        assertEquals(HandoffCheck.Verified, core.scans().verifyHandoffCode("P1", "482913"))
    }

    @Test
    fun `a drop-off checklist is completed, gates the delivery, and lands in the evidence bundle`() = runBlocking {
        server.publishChecklist(
            """{"id":"dropoff","stage":"dropoff","items":[
              {"id":"contacted","label":"Customer contacted","kind":{"type":"confirm"}},
              {"id":"photo","label":"Photo at the door","kind":{"type":"photo","min_count":1},"when":{"if":"fact","fact":"contactless"}},
              {"id":"temp","label":"Box temperature","kind":{"type":"number","unit":"C","min":0.0,"max":4.0}},
              {"id":"where","label":"Left where","kind":{"type":"choice","options":["door","reception"]}},
              {"id":"note","label":"Note","kind":{"type":"text"},"required":false},
              {"id":"sig","label":"Signature","kind":{"type":"signature"},"when":{"if":"answer","item":"where","equals":"reception"}},
              {"id":"ok","label":"Seal intact","kind":{"type":"yes_no","required":true}},
              {"id":"code","label":"Bag label","kind":{"type":"scan"},"required":false}
            ]}""".trimIndent(),
        )
        val token = server.createCourier("ann")
        server.assignContactless("P1", "ann")
        val core = open("ann", token)
        core.sync().now()
        core.tasks().accept("P1")
        core.tasks().arriveManually("P1", "gated estate")
        val list = core.checklists().checklist("P1", ChecklistStage.DROPOFF)!!
        assertEquals(1L, list.version)
        assertTrue(list.items.first { it.def.id == "photo" }.applies)
        assertFalse(list.items.first { it.def.id == "sig" }.applies)
        assertTrue(list.items.first { it.def.id == "temp" }.def.kind is ChecklistItemKind.Number)
        assertEquals(listOf("Customer contacted", "Photo at the door", "Box temperature", "Left where", "Seal intact"), list.missing())
        val blockers = core.tasks().nextAction("P1")!!.blockers
        // The task's screen offers the checklist of the stage the core chose: the drop-off's.
        val screens = core.screens()
        screens.tap(Tap.ShowTask("P1"))
        val page = (screens.screen().body as Body.Task).page
        assertEquals(
            listOf(ChecklistStage.DROPOFF),
            page.secondary.mapNotNull { (it.tap as? Tap.ShowChecklist)?.stage },
        )
        assertEquals(listOf(Blocker.ChecklistIncomplete::class, Blocker.ProofMissing::class), blockers.map { it::class })
        // A wrong kind of answer is refused; an out-of-range one is recorded and reported.
        try {
            core.checklists().answer("P1", ChecklistStage.DROPOFF, "temp", ChecklistAnswer.Text("cold"))
            fail("text accepted for a number")
        } catch (e: RunsheetException.InvalidArgument) {
        }
        assertFalse(core.checklists().answer("P1", ChecklistStage.DROPOFF, "temp", ChecklistAnswer.Number(9.0)))
        assertTrue(core.checklists().answer("P1", ChecklistStage.DROPOFF, "contacted", ChecklistAnswer.Confirmed))
        assertTrue(core.checklists().answer("P1", ChecklistStage.DROPOFF, "where", ChecklistAnswer.Choice("reception")))
        // Choosing reception makes the signature apply.
        assertTrue(core.checklists().checklist("P1", ChecklistStage.DROPOFF)!!.items.first { it.def.id == "sig" }.applies)
        val photo = core.scans().attachFile(tmp.newFile("door.jpg").apply { writeBytes("door".toByteArray()) }.path).sha256
        val sig = core.scans().attachFile(tmp.newFile("sig.png").apply { writeBytes("sig".toByteArray()) }.path).sha256
        core.checklists().answer("P1", ChecklistStage.DROPOFF, "photo", ChecklistAnswer.Photos(listOf(photo)))
        core.checklists().answer("P1", ChecklistStage.DROPOFF, "sig", ChecklistAnswer.Signature(sig))
        core.checklists().answer("P1", ChecklistStage.DROPOFF, "note", ChecklistAnswer.Text("behind the plant"))
        core.checklists().answer("P1", ChecklistStage.DROPOFF, "code", ChecklistAnswer.Scan("RS1:P1:1/1:X"))
        assertFalse(core.checklists().answer("P1", ChecklistStage.DROPOFF, "ok", ChecklistAnswer.YesNo(false)))
        assertEquals(listOf("Seal intact"), core.checklists().checklist("P1", ChecklistStage.DROPOFF)!!.missing())
        core.checklists().answer("P1", ChecklistStage.DROPOFF, "ok", ChecklistAnswer.YesNo(true))
        assertTrue(core.checklists().checklist("P1", ChecklistStage.DROPOFF)!!.missing().isEmpty())
        core.tasks().markDelivered("P1")
        core.sync().now()
        assertEquals("delivered", server.status("P1"))
        // Both breaches are on the task's one open case: the server notes the second on it.
        assertEquals(listOf("exception:checklist_breach"), server.afterSalesKinds())
        val bundle = core.tasks().evidenceBundle("P1")
        assertEquals("runsheet-evidence-v1", bundle.format)
        assertTrue(bundle.answers.any { it.item == "temp" })
        assertTrue(bundle.attachments.any { it.sha256 == photo })
        assertFalse("the bundle carries no customer name", bundle.toString().contains("Customer P1"))
    }

    @Test
    fun `ratings arrive with the sync, KPIs are read, and an upheld appeal leaves the figures`() = runBlocking {
        val token = server.createCourier("ann")
        server.assign("P1", "ann")
        server.assign("P2", "ann")
        val core = open("ann", token)
        val events = RecordingSyncListener()
        core.sync().subscribe(events).also { sub ->
            core.sync().now()
            for (id in listOf("P1", "P2")) {
                core.tasks().accept(id)
                core.tasks().arriveManually(id, "indoor")
                core.tasks().markDelivered(id)
            }
            core.ratings().rateStop("P1", RatingTarget.DROPOFF, 4u, listOf("easy_to_find"), "gate code 1234#")
            core.sync().now()
            server.rate("R1", "P1", 2)
            server.rate("R2", "P2", 5)
            core.sync().now()
            assertEquals(setOf("R1", "R2"), events.events.last().newRatings.map { it.id }.toSet())
            sub.cancel()
        }
        assertEquals(setOf("R1", "R2"), core.ratings().received().map { it.id }.toSet())
        val before = core.ratings().kpis(KpiPeriod.MONTH)
        assertEquals(2u, before.deliveries)
        assertEquals(0.5, before.satisfaction!!, 1e-9)
        assertTrue(before.belowTarget.contains("satisfaction"))
        // An appeal needs a reason, then goes out with the evidence bundle.
        try {
            core.ratings().appeal("R1", " ")
            fail("an appeal without a reason was accepted")
        } catch (e: RunsheetException.Blocked) {
        }
        core.ratings().appeal("R1", "the customer rated the wrong order")
        assertEquals(AppealStatus.PENDING, core.ratings().received().first { it.id == "R1" }.appeal)
        core.sync().now()
        assertEquals(listOf(true, false), server.appealsWithEvidence("ann"))
        server.decideAppeal("R1", true)
        core.sync().now()
        assertEquals(AppealStatus.UPHELD, core.ratings().received().first { it.id == "R1" }.appeal)
        assertEquals(1.0, core.ratings().kpis(KpiPeriod.MONTH).satisfaction!!, 1e-9)
    }
}
