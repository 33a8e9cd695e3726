//! The platform work the core asks a shell for, as data, and what the shell answers. Every
//! effect a shell must carry out is a variant here (crux's rule: one enum lists every side
//! effect); the answers come back through [`EffectResult`].

use runsheet_core::LocationAccuracy;

/// A permission the app needs from the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Permission {
    /// The camera, for scanning and proof photos.
    Camera,
    /// Location while the app is in use.
    Location,
    /// Location in the background, for arrivals detected while another app is in front.
    BackgroundLocation,
    /// Notifications.
    Notifications,
}

/// What the platform said about a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PermissionState {
    /// Not asked yet.
    Unknown,
    /// Asked; no answer yet.
    Asking,
    /// Granted.
    Granted,
    /// Refused.
    Denied,
}

/// Which notification channel (Android channels, iOS categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Channel {
    /// New work assigned.
    NewTask,
    /// A stop at risk of being late.
    Lateness,
    /// The server refused an action.
    Refusal,
    /// Ratings and appeals.
    Ratings,
    /// After-sales cases that ask the courier.
    Cases,
    /// Offers of work to answer, and late acceptances refused.
    Offers,
    /// Training and qualifications: one about to expire.
    Training,
}

/// Why a photo is taken.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PhotoPurpose {
    /// Proof of delivery.
    Proof {
        /// The task.
        task_id: String,
    },
    /// The problem being reported.
    Problem {
        /// The task.
        task_id: String,
    },
    /// An item whose label cannot be read.
    Item {
        /// The task.
        task_id: String,
        /// The item.
        item_code: String,
    },
    /// A checklist item's photo.
    ChecklistItem {
        /// The task, if any.
        task_id: Option<String>,
        /// The checklist.
        stage: runsheet_protocol::ChecklistStage,
        /// The item.
        item_id: String,
    },
}

/// Platform work the core asks for.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Effect {
    /// Show a local notification. When the courier taps it, the shell opens the app and calls
    /// `CourierApp::open_notification` with its id: the core opens the page it is about.
    Notify {
        /// Stable id: a second notification with the same id replaces the first.
        id: String,
        /// Its channel.
        channel: Channel,
        /// Title.
        title: String,
        /// Text.
        body: String,
    },
    /// Ask for a permission, saying why; answer with [`EffectResult::Permission`].
    RequestPermission {
        /// Which.
        permission: Permission,
        /// Why, in the app's language (the rationale screen).
        rationale: String,
    },
    /// Set how location is tracked.
    SetLocationMode {
        /// Accuracy (`Off`: stop tracking).
        accuracy: LocationAccuracy,
        /// Seconds between fixes.
        interval_s: u32,
        /// Keep tracking in the background (a foreground service on Android, background
        /// updates on iOS): true on duty.
        background: bool,
    },
    /// Run a background sync after a delay and/or when the network returns.
    ScheduleSync {
        /// Not before this many seconds from now (`None`: as soon as the constraint holds).
        after_s: Option<u32>,
        /// As soon as the network is back.
        on_network: bool,
    },
    /// Open a link (a maps app).
    OpenLink {
        /// The URL.
        url: String,
    },
    /// Dial a number (the customer's masked number).
    Dial {
        /// The number.
        number: String,
    },
    /// Take a photo; answer with [`EffectResult::PhotoTaken`] or
    /// [`EffectResult::Cancelled`].
    CapturePhoto {
        /// Why.
        purpose: PhotoPurpose,
        /// What to photograph, in words.
        prompt: String,
    },
    /// Capture the customer's signature; answer with [`EffectResult::SignatureTaken`].
    CaptureSignature {
        /// The task.
        task_id: String,
        /// What the customer reads.
        prompt: String,
    },
    /// Keep the screen on (navigating) or let it sleep.
    KeepScreenOn {
        /// On or off.
        on: bool,
    },
}

/// What the shell answers to an effect.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum EffectResult {
    /// A permission's answer (also sent when the courier changes it in the system settings).
    Permission {
        /// Which.
        permission: Permission,
        /// Granted or not.
        granted: bool,
    },
    /// The photo is saved at `path` (in the app's storage, written durably).
    PhotoTaken {
        /// Why it was taken.
        purpose: PhotoPurpose,
        /// Where.
        path: String,
    },
    /// The signature image is saved at `path`.
    SignatureTaken {
        /// The task.
        task_id: String,
        /// Where.
        path: String,
    },
    /// The courier cancelled a capture.
    Cancelled,
}
