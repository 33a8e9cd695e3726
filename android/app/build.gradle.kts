plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.runsheet.courier"
    compileSdk = 35
    // The same NDK as the core's build (it strips the core's jniLibs when packaging).
    ndkVersion = libs.versions.ndk.get()
    defaultConfig {
        applicationId = "app.runsheet.courier"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The dispatch server; a platform build sets its own (`-PrunsheetServer=https://...`).
        val server = (project.findProperty("runsheetServer") as String?) ?: "https://dispatch.example.com"
        buildConfigField("String", "RUNSHEET_SERVER", "\"$server\"")
    }
    buildFeatures {
        compose = true
        buildConfig = true
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    // The shell's code that needs no Android SDK (session restore, the capture journal, the
    // wake outcome, screen updates) lives in ../shell-core, where `cargo xtask test` compiles
    // and tests it on a plain JVM; the app compiles the same sources.
    sourceSets["main"].java.srcDir("../shell-core/src/main/kotlin")
    sourceSets["test"].java.srcDir("../shell-core/src/test/kotlin")
}

dependencies {
    implementation(project(":runsheet"))
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.ui)
    implementation(libs.compose.material3)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.activity.compose)
    implementation(libs.core.ktx) // FileProvider for camera photos
    // Handoff scanning: CameraX frames into ML Kit's on-device barcode scanner.
    implementation(libs.camera.camera2)
    implementation(libs.camera.lifecycle)
    implementation(libs.camera.view)
    implementation(libs.mlkit.barcode.scanning)
    implementation(libs.lifecycle.viewmodel.compose)
    implementation(libs.lifecycle.runtime.compose)
    // Foreground/background of the whole app -> setForeground() (the core long-polls in the foreground).
    implementation(libs.lifecycle.process)
    // Push sync hints (FCM data messages) -> handlePush(). A platform build adds its own
    // google-services.json and the com.google.gms.google-services plugin.
    implementation(platform(libs.firebase.bom))
    implementation(libs.firebase.messaging)
    implementation(libs.kotlinx.coroutines.android)
    // The core's effects: ScheduleSync -> WorkManager (network constraint); SetLocationMode ->
    // the fused location provider in a location foreground service.
    implementation(libs.work.runtime.ktx)
    implementation(libs.play.services.location)
    // shell-core's JVM tests (./gradlew :app:testDebugUnitTest).
    testImplementation(libs.junit)
    testImplementation(libs.kotlin.test)
}
