import Foundation
import RunsheetCore

/// What the shell itself says (Localizable.strings, en and zh-Hans): system dialogs, capture
/// controls and accessibility words. Every word about the shift comes from the core's screens.
enum ShellWords {
    /// The shell's sentence for `key`.
    static func text(_ key: String) -> String {
        NSLocalizedString(key, comment: "")
    }

    /// The shell's sentence for `key` with numbers put in.
    static func text(_ key: String, _ args: CVarArg...) -> String {
        String(format: NSLocalizedString(key, comment: ""), arguments: args)
    }
}

/// What the courier is shown when something fails, as a `LocalizedError` (SwiftUI's error
/// alert reads its `errorDescription`): the core's sentence for a refused tap or a core error,
/// the shell's own words for a platform failure; never the error's debug description. (The
/// generated `TapError` and `RunsheetError` already conform to `LocalizedError` with
/// `String(reflecting:)`, which cannot be overridden in an extension: hence this wrapper.)
struct ShownError: LocalizedError, Identifiable {
    let id = UUID()
    let errorDescription: String?

    /// A sentence as it is (the core's, or the shell's own words).
    init(sentence: String) {
        errorDescription = sentence
    }

    /// An error from the core (its sentence) or from the platform (the shell's generic words).
    init(_ error: Error) {
        errorDescription = sentence(of: error)
    }
}

extension TapError {
    /// The core's sentence for the refusal, in the screen's language.
    var sentence: String {
        switch self {
        case .NotOffered(let sentence),
             .Blocked(let sentence, _),
             .Invalid(let sentence),
             .Refused(let sentence):
            return sentence
        }
    }
}

extension RunsheetError {
    /// The core's sentence for the failure, in the courier's language.
    var sentence: String {
        switch self {
        case .NotFound(let message),
             .NotAllowed(let message),
             .Blocked(let message),
             .InvalidArgument(let message),
             .Offline(let message),
             .AuthRequired(let message),
             .SyncFailed(let message),
             .Storage(let message),
             .IncompatibleVersion(let message),
             .WrongKey(let message):
            return message
        }
    }
}

/// The courier-facing sentence of an error: the core's for its own errors, the shell's generic
/// words (which say the actions are kept) for anything else.
func sentence(of error: Error) -> String {
    if let refused = error as? TapError {
        return refused.sentence
    }
    if let failed = error as? RunsheetError {
        return failed.sentence
    }
    return ShellWords.text("error.generic")
}
