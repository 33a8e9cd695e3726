import SwiftUI

/// Server address and the courier's token (from the platform's sign-in in a real deployment).
struct SignInView: View {
    @ObservedObject var session: CourierSession
    @State private var serverURL = "https://dispatch.example.com"
    @State private var token = ""

    var body: some View {
        Form {
            Section("Dispatch server") {
                TextField("Server URL", text: $serverURL)
                    .textInputAutocapitalization(.never)
                    .keyboardType(.URL)
                SecureField("Courier token", text: $token)
            }
            if let error = session.error {
                Text(error)
                    .foregroundStyle(.red)
            }
            Button("Start shift") {
                session.signIn(serverURL: serverURL, token: token)
            }
            .disabled(token.isEmpty)
        }
        .navigationTitle("Runsheet")
    }
}
