import SwiftUI
import UIKit

/// The system camera; the photo is written as JPEG into the app's private documents and its
/// file URL handed back (the core records the file, hashes it and uploads it later).
struct CameraView: UIViewControllerRepresentable {
    let taken: (URL) -> Void

    func makeUIViewController(context: Context) -> UIImagePickerController {
        let picker = UIImagePickerController()
        picker.sourceType = UIImagePickerController.isSourceTypeAvailable(.camera) ? .camera : .photoLibrary
        picker.delegate = context.coordinator
        return picker
    }

    func updateUIViewController(_ controller: UIImagePickerController, context: Context) {}

    func makeCoordinator() -> Coordinator {
        Coordinator(taken: taken)
    }

    /// Receives the picked image.
    final class Coordinator: NSObject, UIImagePickerControllerDelegate, UINavigationControllerDelegate {
        let taken: (URL) -> Void

        init(taken: @escaping (URL) -> Void) {
            self.taken = taken
        }

        func imagePickerController(
            _ picker: UIImagePickerController,
            didFinishPickingMediaWithInfo info: [UIImagePickerController.InfoKey: Any]
        ) {
            guard let image = info[.originalImage] as? UIImage,
                  let data = image.jpegData(compressionQuality: 0.7),
                  let dir = try? FileManager.default.url(
                      for: .documentDirectory, in: .userDomainMask, appropriateFor: nil, create: true
                  )
            else { return }
            let url = dir.appendingPathComponent("photo-\(UUID().uuidString).jpg")
            if (try? data.write(to: url, options: .completeFileProtection)) != nil {
                taken(url)
            }
        }
    }
}
