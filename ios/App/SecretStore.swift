import Foundation
import Security

/// The phone's secrets in the Keychain, readable only on this device after its first unlock
/// (kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly: never in a backup, never migrated to
/// another phone): the key the task store is encrypted under, and the courier's session token.
/// Both are read at launch, before the core is opened (`ScreenStore.open`). The items live in
/// the app's first `keychain-access-groups` entry (project.yml), the default group when none is
/// named. An expired session (the core's AuthRequired) only brings the sign-in screen: the
/// store, its key and the unsent actions stay, and sync resumes after the next sign-in.
enum SecretStore {
    private static let service = "app.runsheet.courier"
    private static let databaseKeyAccount = "database-key"
    private static let sessionAccount = "session-token"

    /// The task store's key: 32 random bytes as 64 hex digits, made on first use and kept.
    static func databaseKey() throws -> String {
        if let existing = try read(databaseKeyAccount) {
            return existing
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        let status = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)
        guard status == errSecSuccess else { throw SecretStoreError.keychain(status) }
        let key = bytes.map { String(format: "%02x", $0) }.joined()
        try write(databaseKeyAccount, key)
        return key
    }

    /// The courier's session token from the last sign-in or refresh, if any.
    static func sessionToken() throws -> String? {
        try read(sessionAccount)
    }

    /// Keeps the session token (after sign-in, or a refresh by the token provider).
    static func setSessionToken(_ token: String?) throws {
        if let token {
            try write(sessionAccount, token)
        } else {
            SecItemDelete(query(sessionAccount) as CFDictionary)
        }
    }

    private static func query(_ account: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    private static func read(_ account: String) throws -> String? {
        var q = query(account)
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else {
            throw SecretStoreError.keychain(status)
        }
        return String(data: data, encoding: .utf8)
    }

    private static func write(_ account: String, _ value: String) throws {
        let data = Data(value.utf8)
        let update: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(query(account) as CFDictionary, update as CFDictionary)
        if status == errSecItemNotFound {
            var add = query(account)
            add.merge(update) { _, new in new }
            status = SecItemAdd(add as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw SecretStoreError.keychain(status) }
    }
}

/// A Keychain call failed.
enum SecretStoreError: Error {
    case keychain(OSStatus)
}

/// The core's token provider: after a 401 (an expired or revoked token) the core asks it once.
/// It asks the platform's sign-in backend for a fresh token, which that backend gets from
/// `POST /v1/dispatch/couriers/{id}/tokens`, keeps it in the Keychain and hands it over; with
/// no backend reachable it answers nil and the app shows the sign-in screen.
final class KeychainTokenProvider: TokenProvider {
    private let refresh: () -> String?

    /// `refresh`: the platform's call for a fresh token (blocking; the core calls this off the
    /// main thread).
    init(refresh: @escaping () -> String?) {
        self.refresh = refresh
    }

    func freshToken() -> String? {
        guard let token = refresh() else { return nil }
        try? SecretStore.setSessionToken(token)
        return token
    }
}
