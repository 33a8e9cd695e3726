import RunsheetCore
import SwiftUI
import Vision
import VisionKit

/// Scanning a handoff: progress, the last verdict (the core's sentence with its tone), the
/// camera when the core says it is on (the core asked for the permission and says what a
/// refusal means), the page's offers (turn the camera on, type a code) and the items with
/// theirs (photo and confirm by hand).
struct ScanPageView: View {
    let page: ScanPage
    let onOffer: OnOffer
    let scan: (Tap) -> Void

    var body: some View {
        Section {
            Text(page.progress)
                .font(.headline)
            ProgressView(value: Double(page.confirmed), total: Double(Swift.max(page.expected, 1)))
                .accessibilityLabel(Text(page.progress))
            if let verdict = page.lastVerdict {
                ToneLabel(text: verdict.text, tone: verdict.tone)
            }
        }
        Section {
            switch page.camera {
            case .on:
                if LiveScanner.available {
                    LiveScanner { raw, symbology in
                        read(raw, symbology)
                    }
                    .frame(minHeight: 280)
                    .accessibilityLabel(Text(ShellWords.text("scan.preview")))
                } else {
                    // An older phone (no Neural Engine) or the camera restricted: the page's
                    // other offers (type the code, confirm by hand) stay.
                    Label(ShellWords.text("scan.unavailable"), systemImage: "barcode.viewfinder")
                }
            case .off, .askingPermission, .denied:
                EmptyView()
            }
            if let text = page.cameraText {
                Text(text)
            }
            OfferList(offers: page.offers, onOffer: onOffer)
        }
        Section {
            ForEach(page.items, id: \.code) { item in
                ItemRow(item: item, onOffer: onOffer)
            }
        }
    }

    /// A code the camera read, sent as the page's scan offer filled in with it.
    private func read(_ raw: String, _ symbology: ScanSymbology) {
        for offer in page.offers {
            if case .scan(let taskId, _, _) = offer.tap {
                scan(.scan(taskId: taskId, code: raw, symbology: symbology))
                return
            }
        }
    }
}

/// VisionKit's DataScannerViewController for barcodes, reporting each newly recognised code
/// with its symbology. Scanning starts once the view is on screen and stops when it goes.
struct LiveScanner: UIViewControllerRepresentable {
    let found: (String, ScanSymbology) -> Void

    /// Whether this phone can scan live (A12 or later, camera not restricted).
    @MainActor static var available: Bool {
        DataScannerViewController.isSupported && DataScannerViewController.isAvailable
    }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode()],
            qualityLevel: .balanced,
            recognizesMultipleItems: false,
            isHighFrameRateTrackingEnabled: false,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        return scanner
    }

    func updateUIViewController(_ scanner: DataScannerViewController, context: Context) {
        if !scanner.isScanning {
            // Throws only when the scanner is unavailable, which `available` ruled out.
            try? scanner.startScanning()
        }
    }

    static func dismantleUIViewController(_ scanner: DataScannerViewController, coordinator: Coordinator) {
        scanner.stopScanning()
    }

    func makeCoordinator() -> Coordinator {
        Coordinator(found: found)
    }

    /// Forwards recognised barcodes.
    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let found: (String, ScanSymbology) -> Void

        init(found: @escaping (String, ScanSymbology) -> Void) {
            self.found = found
        }

        func dataScanner(
            _ dataScanner: DataScannerViewController,
            didAdd addedItems: [RecognizedItem],
            allItems: [RecognizedItem]
        ) {
            for item in addedItems {
                if case .barcode(let code) = item, let raw = code.payloadStringValue {
                    found(raw, Self.symbology(code.observation))
                }
            }
        }

        /// Vision's symbology as the core's. Vision reads UPC-A as EAN-13 (the core reads the
        /// 13 digits the same), and from iOS 17 says whether a code carries GS1 data (FNC1
        /// first), which tells GS1-128, GS1 DataMatrix and GS1 QR from their plain forms.
        static func symbology(_ observation: VNBarcodeObservation) -> ScanSymbology {
            var gs1 = false
            if #available(iOS 17.0, *) {
                gs1 = observation.isGS1DataCarrier
            }
            switch observation.symbology {
            case .ean8: return .ean8
            case .ean13: return .ean13
            case .upce: return .upcE
            case .itf14, .i2of5, .i2of5Checksum: return .itf
            case .code128: return gs1 ? .gs1128 : .code128
            case .gs1DataBar, .gs1DataBarExpanded, .gs1DataBarLimited: return .gs1DataBar
            case .code39, .code39Checksum, .code39FullASCII, .code39FullASCIIChecksum: return .code39
            case .dataMatrix: return gs1 ? .gs1DataMatrix : .dataMatrix
            case .qr: return gs1 ? .gs1Qr : .qrCode
            case .pdf417: return .pdf417
            case .aztec: return .aztec
            default: return .unknown
            }
        }
    }
}
