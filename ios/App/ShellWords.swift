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

/// The courier-facing sentence of an error from the core: a refused tap's sentence or the
/// core's error text, never the error's debug description.
func sentence(of error: Error) -> String {
    if let refused = error as? TapError {
        switch refused {
        case .NotOffered(let sentence):
            return sentence
        case .Blocked(let sentence, _):
            return sentence
        case .Invalid(let sentence):
            return sentence
        case .Refused(let sentence):
            return sentence
        }
    }
    if let failed = error as? RunsheetError {
        switch failed {
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
    return ShellWords.text("error.generic")
}
