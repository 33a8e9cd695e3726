import RunsheetCore
import SwiftUI
import UIKit

/// The core's `CapturePhoto`: the system camera with the core's prompt; the photo is written as
/// JPEG into a UUID-named file in the app's private storage, protected until first unlock (so
/// a sync with the phone locked can still read it), and its URL handed back; nil when the
/// courier cancels.
struct CameraView: UIViewControllerRepresentable {
    let prompt: String
    let taken: (URL?) -> Void
    let unavailable: () -> Void

    func makeUIViewController(context: Context) -> UIViewController {
        guard UIImagePickerController.isSourceTypeAvailable(.camera) else {
            DispatchQueue.main.async { unavailable() }
            return UIViewController()
        }
        let picker = UIImagePickerController()
        picker.sourceType = .camera
        picker.delegate = context.coordinator
        let label = UILabel()
        label.text = prompt
        label.numberOfLines = 0
        label.textColor = .white
        label.textAlignment = .center
        label.font = .preferredFont(forTextStyle: .headline)
        label.adjustsFontForContentSizeCategory = true
        label.frame = CGRect(x: 16, y: 60, width: UIScreen.main.bounds.width - 32, height: 60)
        picker.cameraOverlayView = label
        return picker
    }

    func updateUIViewController(_ controller: UIViewController, context: Context) {}

    func makeCoordinator() -> Coordinator {
        Coordinator(taken: taken)
    }

    /// Receives the picture, or the cancel.
    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let taken: (URL?) -> Void

        init(taken: @escaping (URL?) -> Void) {
            self.taken = taken
        }

        func imagePickerController(
            _ picker: UIImagePickerController,
            didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]
        ) {
            guard let image = info[.originalImage] as? UIImage,
                  let data = image.jpegData(compressionQuality: 0.7),
                  let url = EffectExecutor.captureFile(extension: "jpg"),
                  EffectExecutor.write(data, to: url)
            else {
                taken(nil)
                return
            }
            taken(url)
        }

        func imagePickerControllerDidCancel(_ picker: UIImagePickerController) {
            taken(nil)
        }
    }
}
