package app.runsheet.shell

import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Seals and opens a secret. On the phone the key lives in the Android Keystore (it never leaves
 * it); the JVM suite uses a software key. `open` throws [GeneralSecurityException] when the
 * sealed bytes cannot be opened (the key is gone after a reinstall or a lock-screen reset, or
 * the file was damaged).
 */
interface Sealer {
    /** The sealed form of `plain` (it carries what [open] needs, such as the IV). */
    fun seal(plain: ByteArray): ByteArray

    /** The plain bytes of what [seal] made. */
    fun open(sealed: ByteArray): ByteArray
}

/**
 * AES-GCM under a key from `key` (looked up at each use, so a Keystore key made on first use is
 * found): the IV the cipher chose (Android Keystore keys refuse a caller's IV) followed by the
 * ciphertext and its tag.
 */
class AesGcmSealer(private val key: () -> SecretKey) : Sealer {
    override fun seal(plain: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key())
        return cipher.iv + cipher.doFinal(plain)
    }

    override fun open(sealed: ByteArray): ByteArray {
        if (sealed.size <= IV_BYTES) throw GeneralSecurityException("sealed secret too short")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES))
        return cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES)
    }

    private companion object {
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val TAG_BITS = 128
    }
}

/** The secrets the core is opened with after a start (a cold one after process death too). */
data class RestoredSession(
    /** The courier's session token; null: the core's screens ask the courier to sign in. */
    val token: String?,
    /** The task store's key (64 hex digits). */
    val databaseKey: String,
)

/** The store's key exists but cannot be opened: the saved store is left untouched. */
class StoreKeyLost(message: String) : Exception(message)

/**
 * The courier's session kept across process death (Element X's recipe): the session token and
 * the task store's key, each sealed by [sealer] into its own file in `dir` (the app's
 * no-backup files), written atomically so a kill mid-write leaves the old value.
 *
 * Restoring never costs the courier their saved work: an unreadable token is forgotten (the
 * core's screens show sign-in; the store and its queued actions stay), and an unreadable store
 * key is reported, never replaced (a new key would orphan the store).
 */
class SessionVault(
    private val dir: File,
    private val sealer: Sealer,
    private val random: SecureRandom = SecureRandom(),
) {
    /**
     * The token and store key to open the core with, read before it is opened. The store key
     * is made (32 random bytes) on the first start only.
     */
    @Synchronized
    fun restore(): RestoredSession = RestoredSession(token = token(), databaseKey = databaseKey())

    /** The session token, or null when there is none or it cannot be opened any more. */
    @Synchronized
    fun token(): String? = try {
        read(SESSION)
    } catch (e: GeneralSecurityException) {
        // The Keystore key is gone: sign in again, the task store is kept.
        file(SESSION).delete()
        null
    }

    /** The store key; made on first use. */
    @Synchronized
    fun databaseKey(): String {
        val existing = try {
            read(DATABASE_KEY)
        } catch (e: GeneralSecurityException) {
            throw StoreKeyLost("the task store's key can no longer be opened (${e.javaClass.simpleName})")
        }
        if (existing != null) return existing
        val bytes = ByteArray(KEY_BYTES).also { random.nextBytes(it) }
        val key = bytes.joinToString("") { "%02x".format(it) }
        write(DATABASE_KEY, key)
        return key
    }

    /** Keeps the token of a sign-in or a refresh. */
    @Synchronized
    fun keepToken(token: String) = write(SESSION, token)

    /**
     * The server refused the token (`AuthRequired`): only the token is forgotten, so the next
     * start shows sign-in too; the store key, the store and its saved actions are kept.
     */
    @Synchronized
    fun forgetToken() {
        file(SESSION).delete()
    }

    private fun file(name: String) = File(dir, name)

    private fun read(name: String): String? {
        val f = file(name)
        if (!f.exists()) return null
        return String(sealer.open(f.readBytes()), Charsets.UTF_8)
    }

    private fun write(name: String, value: String) {
        dir.mkdirs()
        val sealed = sealer.seal(value.toByteArray(Charsets.UTF_8))
        val tmp = file("$name.tmp")
        FileOutputStream(tmp).use { out ->
            out.write(sealed)
            out.fd.sync()
        }
        if (!tmp.renameTo(file(name))) throw IOException("cannot keep the $name secret")
    }

    private companion object {
        const val DATABASE_KEY = "database-key"
        const val SESSION = "session-token"
        const val KEY_BYTES = 32
    }
}
