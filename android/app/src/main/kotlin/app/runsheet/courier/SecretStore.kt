package app.runsheet.courier

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The phone's secrets: the key the task store is encrypted under and the courier's session
 * token. Each is sealed with AES-GCM under a key that lives in the Android Keystore (it never
 * leaves it, and is hardware-backed where the phone has it) and written to the app's no-backup
 * files, so neither a backup nor a device-to-device transfer carries them.
 */
class SecretStore(context: Context) {
    private val dir = File(context.noBackupFilesDir, "secrets").apply { mkdirs() }

    /** The task store's key: 32 random bytes as 64 hex digits, made on first use and kept. */
    fun databaseKey(): String {
        read(DATABASE_KEY)?.let { return it }
        val bytes = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val key = bytes.joinToString("") { "%02x".format(it) }
        write(DATABASE_KEY, key)
        return key
    }

    /** The session token from the last sign-in or refresh, if any. */
    fun sessionToken(): String? = read(SESSION)

    /** Keeps the session token (null: signed out). */
    fun setSessionToken(token: String?) {
        if (token == null) File(dir, SESSION).delete() else write(SESSION, token)
    }

    private fun keystoreKey(): SecretKey {
        val ks = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        (ks.getEntry(ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        gen.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return gen.generateKey()
    }

    private fun write(name: String, value: String) {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, keystoreKey())
        val sealed = cipher.iv + cipher.doFinal(value.toByteArray(Charsets.UTF_8))
        val tmp = File(dir, "$name.tmp")
        tmp.writeBytes(sealed)
        if (!tmp.renameTo(File(dir, name))) throw IllegalStateException("cannot keep the $name secret")
    }

    private fun read(name: String): String? {
        val file = File(dir, name)
        if (!file.exists()) return null
        val sealed = file.readBytes()
        if (sealed.size <= IV_BYTES) return null
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, keystoreKey(), GCMParameterSpec(128, sealed, 0, IV_BYTES))
        return String(cipher.doFinal(sealed, IV_BYTES, sealed.size - IV_BYTES), Charsets.UTF_8)
    }

    private companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "runsheet-secrets"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_BYTES = 12
        const val DATABASE_KEY = "database-key"
        const val SESSION = "session-token"
    }
}
