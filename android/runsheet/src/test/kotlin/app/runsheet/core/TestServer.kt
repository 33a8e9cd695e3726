package app.runsheet.core

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.HttpURLConnection
import java.net.URI
import java.util.UUID
import java.util.concurrent.TimeUnit

/** One mutation as the reference server recorded it. */
/** One mutation the server recorded; `action` is its type (`accept`, `arrive`, `delivered`, ...). */
data class Recorded(val mutationId: Long, val taskId: String, val outcome: String, val action: String = "delivered")

/**
 * A real `runsheet serve` child process on a free loopback port with its own SQLite file, and
 * the dispatcher's side of its API. It can be killed (SIGKILL) and restarted on the same port
 * and database, as a server that crashed and came back.
 */
class TestServer private constructor(
    private val db: File,
    private val adminToken: String,
    private var process: Process,
    val port: Int,
) : AutoCloseable {
    val url: String get() = "http://127.0.0.1:$port"

    companion object {
        private fun binary(): String =
            System.getProperty("runsheet.bin")
                ?: error("system property runsheet.bin (path of the runsheet binary) is not set")

        /** Starts `runsheet serve` and returns it with the port it printed. */
        private fun launch(db: File, addr: String, adminToken: String): Pair<Process, Int> {
            val pb = ProcessBuilder(binary(), "serve", "--addr", addr, "--db", db.path)
            pb.environment()["RUNSHEET_ADMIN_TOKEN"] = adminToken
            pb.redirectErrorStream(true)
            val p = pb.start()
            val out = BufferedReader(InputStreamReader(p.inputStream))
            val first = out.readLine() ?: error("runsheet serve exited: ${p.waitFor()}")
            val port = Regex("""listening on http://127\.0\.0\.1:(\d+)""").find(first)
                ?.groupValues?.get(1)?.toInt()
                ?: error("unexpected first line from runsheet serve: $first")
            Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
            return p to port
        }

        fun start(dir: File): TestServer {
            val db = File(dir, "server.db")
            val token = "admin-" + UUID.randomUUID()
            val (p, port) = launch(db, "127.0.0.1:0", token)
            return TestServer(db, token, p, port)
        }
    }

    /** SIGKILL: every connection is cut, as a crashed process. */
    fun kill() {
        process.destroyForcibly()
        process.waitFor(10, TimeUnit.SECONDS)
    }

    /** Starts the server again on the same port and database. */
    fun restart() {
        kill()
        process = launch(db, "127.0.0.1:$port", adminToken).first
    }

    override fun close() = kill()

    private fun call(method: String, path: String, body: String? = null): Pair<Int, String> {
        val c = URI("$url$path").toURL().openConnection() as HttpURLConnection
        c.requestMethod = method
        c.setRequestProperty("Authorization", "Bearer $adminToken")
        if (body != null) {
            c.doOutput = true
            c.setRequestProperty("Content-Type", "application/json")
            c.outputStream.use { it.write(body.toByteArray()) }
        }
        val code = c.responseCode
        val text = (if (code < 400) c.inputStream else c.errorStream)
            ?.bufferedReader()?.use { it.readText() } ?: ""
        return code to text
    }

    private fun ok(r: Pair<Int, String>): String {
        check(r.first in 200..299) { "dispatch API answered ${r.first}: ${r.second}" }
        return r.second
    }

    /** Creates a courier; returns their bearer token. */
    fun createCourier(id: String): String {
        val body = ok(call("POST", "/v1/dispatch/couriers", """{"id":"$id","name":"Courier $id"}"""))
        return Regex(""""token":"([0-9a-f]+)"""").find(body)!!.groupValues[1]
    }

    /** Assigns a task; `kind` is food, grocery, parcel or return_pickup. */
    fun assign(id: String, courier: String, kind: String = "parcel", customer: String = "Customer $id") {
        val pickup = if (kind == "parcel") "" else
            ""","pickup":{"name":"Merchant","address":"1 Market St","lat":30.279,"lon":120.141}"""
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"$kind"$pickup,""" +
                    """"dropoff":{"name":"$customer","address":"2 Home Rd","lat":30.27,"lon":120.13,"due_by":1795408200}}""",
            ),
        )
    }

    /** Assigns a food task whose bags carry these label codes. */
    fun assignWithItems(id: String, courier: String, codes: List<String>) {
        val items = codes.mapIndexed { i, c -> """{"code":"$c","name":"Bag ${i + 1}"}""" }.joinToString(",")
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"food",""" +
                    """"pickup":{"name":"Merchant","address":"1 Market St","lat":30.279,"lon":120.141},""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13},""" +
                    """"items":[$items]}""",
            ),
        )
    }

    /** Assigns a parcel whose customer will show `code` at the door. */
    fun assignWithCode(id: String, courier: String, code: String) {
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"parcel","handoff_code":"$code",""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13}}""",
            ),
        )
    }

    /** Publishes a checklist template (JSON as the dispatch API takes it). */
    fun publishChecklist(json: String) {
        ok(call("PUT", "/v1/dispatch/checklists", json))
    }

    /** Assigns a contactless parcel whose delivery must be proven with a photo. */
    fun assignContactless(id: String, courier: String) {
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"parcel","contactless":true,"proof":"photo",""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13}}""",
            ),
        )
    }

    /** A customer (or merchant, platform) rates the courier of a task. */
    fun rate(id: String, task: String, stars: Int, source: String = "customer") {
        ok(call("POST", "/v1/dispatch/ratings", """{"id":"$id","task_id":"$task","source":"$source","stars":$stars}"""))
    }

    /** Decides a pending appeal. */
    fun decideAppeal(rating: String, upheld: Boolean) {
        ok(call("POST", "/v1/dispatch/ratings/$rating/decision", """{"upheld":$upheld}"""))
    }

    /** For each of a courier's ratings (in order), whether the server holds appeal evidence. */
    fun appealsWithEvidence(courier: String): List<Boolean> =
        Regex("\"evidence\":(null|\")").findAll(ok(call("GET", "/v1/dispatch/couriers/$courier/ratings")))
            .map { it.groupValues[1] == "\"" }.toList()

    fun cancel(id: String) {
        ok(call("POST", "/v1/dispatch/tasks/$id/cancel"))
    }

    /** The task's status on the server. */
    fun status(id: String): String {
        val body = ok(call("GET", "/v1/dispatch/tasks/$id"))
        return Regex(""""status":"(\w+)"""").find(body)!!.groupValues[1]
    }

    /** Every mutation the server recorded for `courier`, oldest first. */
    fun mutations(courier: String): List<Recorded> {
        val body = ok(call("GET", "/v1/dispatch/mutations?courier_id=$courier"))
        return body.split("{\"client_id\"").drop(1).map { rec ->
            Recorded(
                mutationId = Regex(""""mutation_id":(\d+)""").find(rec)!!.groupValues[1].toLong(),
                taskId = Regex(""""courier_id":"[^"]*","task_id":"([^"]*)"""").find(rec)!!.groupValues[1],
                outcome = Regex(""""outcome":"(\w+)"""").find(rec)!!.groupValues[1],
                action = Regex(""""type":"(\w+)"""").find(rec)!!.groupValues[1],
            )
        }
    }

    /** The deliveries among the mutations (the walk to the door comes before them). */
    fun deliveries(courier: String): List<Recorded> = mutations(courier).filter { it.action == "delivered" }

    /** Kinds of the open after-sales cases, oldest first (`exception:customer_unreachable`, ...). */
    fun afterSalesKinds(): List<String> =
        Regex(""""kind":"([^"]+)"""").findAll(ok(call("GET", "/v1/dispatch/after-sales"))).map { it.groupValues[1] }.toList()

    /** Texts the server sent to a task's customer, oldest first. */
    fun messages(task: String): List<String> =
        Regex(""""body":"([^"]*)"""").findAll(ok(call("GET", "/v1/dispatch/tasks/$task/messages"))).map { it.groupValues[1] }.toList()

    /** The courier's duty status as dispatch sees it (`on_duty`, `on_break`, `off_duty`). */
    fun courierStatus(id: String): String =
        Regex(""""state":"(\w+)"""").find(ok(call("GET", "/v1/dispatch/couriers/$id/status")))!!.groupValues[1]

    /** HTTP status of GET on an attachment (200 once uploaded). */
    fun attachmentStatus(sha256: String): Int = call("GET", "/v1/dispatch/attachments/$sha256").first

    /** Opens a customer's case about a task (`late`, `wrong_item`, ...); returns its number. */
    fun openCase(task: String, kind: String, summary: String): Long {
        val body = ok(call("POST", "/v1/dispatch/cases", """{"task_id":"$task","kind":"$kind","summary":"$summary"}"""))
        return Regex(""""id":(\d+)""").find(body)!!.groupValues[1].toLong()
    }

    /** Takes a step on a case (`{"step":"ask_courier","note":"..."}`, ...). */
    fun caseStep(id: Long, json: String) {
        ok(call("POST", "/v1/dispatch/cases/$id/steps", json))
    }

    /** The courier's statement on a case as the server holds it, if any. */
    fun caseStatement(id: Long): String? =
        Regex(""""courier_statement":"([^"]*)"""").find(ok(call("GET", "/v1/dispatch/cases/$id")))?.groupValues?.get(1)

    /** Creates a food task no courier holds yet (to be offered), promised by `dueBy`. */
    fun createOpen(id: String, lat: Double = 30.27, dueBy: Long = 1795408200) {
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","kind":"food",""" +
                    """"pickup":{"name":"Merchant","address":"1 Market St","lat":30.279,"lon":120.141},""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":$lat,"lon":120.13,"due_by":$dueBy}}""",
            ),
        )
    }

    /** Offers the tasks to a courier for `expiresInS` seconds; returns the offer's number. */
    fun offer(courier: String, tasks: List<String>, expiresInS: Int = 30): Long {
        val ids = tasks.joinToString(",") { "\"$it\"" }
        val body = ok(
            call("POST", "/v1/dispatch/offers", """{"courier_id":"$courier","task_ids":[$ids],"expires_in_s":$expiresInS}"""),
        )
        return Regex(""""id":(\d+)""").find(body)!!.groupValues[1].toLong()
    }

    /** Dispatch withdraws an offer with a reason: the HTTP status and the body. */
    fun withdrawOffer(id: Long, reason: String): Pair<Int, String> =
        call("POST", "/v1/dispatch/offers/$id/withdraw", """{"reason":"$reason"}""")

    /** The offer's status as dispatch sees it (`open`, `accepted`, `declined`, `expired`, `withdrawn`). */
    fun offerStatus(id: Long): String =
        Regex(""""expires_at":\d+,"status":"(\w+)"""").find(ok(call("GET", "/v1/dispatch/offers/$id")))!!.groupValues[1]

    /** The platform's offer figures as JSON (`GET /v1/dispatch/offer-figures`). */
    fun offerFigures(): String = ok(call("GET", "/v1/dispatch/offer-figures"))

    /** Dispatch names the receiving courier of a task's handover: the HTTP status and the code of a refusal ("" on success). */
    fun assignHandover(task: String, courier: String): Pair<Int, String> {
        val (status, body) = call("POST", "/v1/dispatch/tasks/$task/handover", """{"courier_id":"$courier"}""")
        val code = if (status in 200..299) "" else Regex(""""error":"(\w+)"""").find(body)?.groupValues?.get(1) ?: ""
        return status to code
    }

    /** The courier holding a task on the server. */
    fun holder(task: String): String? =
        Regex(""""courier_id":"([^"]+)"""").find(ok(call("GET", "/v1/dispatch/tasks/$task")))?.groupValues?.get(1)

    /** Sets a courier's vehicle and box (JSON as the dispatch API takes it); returns the HTTP status. */
    fun setVehicle(courier: String, json: String): Int =
        call("PUT", "/v1/dispatch/couriers/$courier/vehicle", json).first

    /** Assigns a food task of one bag with this label code taking `size` units of the box. */
    fun assignSized(id: String, courier: String, code: String, size: Long) {
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"food",""" +
                    """"pickup":{"name":"Merchant","address":"1 Market St","lat":30.279,"lon":120.141},""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13},""" +
                    """"items":[{"code":"$code","name":"Bag of $id","size":$size}]}""",
            ),
        )
    }

    /** Publishes the platform's settings (JSON as the dispatch API takes it). */
    fun publishSettings(json: String) {
        ok(call("PUT", "/v1/dispatch/settings", json))
    }

    /** Adds a tip or an adjustment (`kind`) of `amount` (a decimal text) in `currency` to the
     *  courier of `task`; returns the HTTP status (201, or 422 with the field at fault). */
    fun addEarning(id: String, task: String, kind: String, amount: String, currency: String = "CNY"): Int =
        call(
            "POST", "/v1/dispatch/earnings",
            """{"id":"$id","task_id":"$task","kind":"$kind","amount":"$amount","currency":"$currency"}""",
        ).first

    /** Decides a pending appeal of an earning line. */
    fun decidePayAppeal(line: String, upheld: Boolean) {
        ok(call("POST", "/v1/dispatch/earnings/$line/decision", """{"upheld":$upheld}"""))
    }

    /** Assigns a parcel with cash on delivery (`minor` units of `currency`) and, when given, a locker drop-off. */
    fun assignAtTheDoor(id: String, courier: String, cashMinor: Long? = null, lockerCode: String? = null) {
        val cash = cashMinor?.let { ""","cash_due":{"minor":$it,"currency":"CNY"}""" } ?: ""
        val locker = lockerCode?.let {
            ""","locker":{"kind":"locker","locker_id":"L-$id","code":"$it","pickup_code":"884213"}"""
        } ?: ""
        ok(
            call(
                "POST", "/v1/dispatch/tasks",
                """{"id":"$id","courier_id":"$courier","kind":"parcel"$cash$locker,""" +
                    """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13}}""",
            ),
        )
    }

    /** The balances of a courier's cash hand-ins as the server reconciled them, newest first. */
    fun cashBalances(courier: String): List<String> =
        Regex(""""balance":"(\w+)"""").findAll(ok(call("GET", "/v1/dispatch/couriers/$courier/cash")))
            .map { it.groupValues[1] }.toList()

    /** The compartment of a task's locker drop-off on the server. */
    fun lockerCompartment(task: String): String =
        Regex(""""compartment":"([^"]*)"""").find(ok(call("GET", "/v1/dispatch/tasks/$task/locker-drop")))!!.groupValues[1]

    /** Publishes a training module (JSON as the dispatch API takes it). */
    fun publishTraining(json: String) {
        ok(call("PUT", "/v1/dispatch/training", json))
    }

    /** Creates a food task with one chilled item for `courier`: the HTTP status and body. */
    fun tryAssignChilled(id: String, courier: String): Pair<Int, String> =
        call(
            "POST", "/v1/dispatch/tasks",
            """{"id":"$id","courier_id":"$courier","kind":"food",""" +
                """"pickup":{"name":"Fresh Mart","address":"1 Market St","lat":30.279,"lon":120.141},""" +
                """"dropoff":{"name":"Customer $id","address":"2 Home Rd","lat":30.27,"lon":120.13},""" +
                """"items":[{"code":"$id-1","name":"Milk","temperature":"chilled"}]}""",
        )

    /** The modules the server records a pass of the courier for. */
    fun qualifications(courier: String): List<String> =
        Regex(""""module_id":"([^"]*)","module_version"""")
            .findAll(ok(call("GET", "/v1/dispatch/couriers/$courier/training")).substringBefore("\"attempts\""))
            .map { it.groupValues[1] }
            .toList()
}
