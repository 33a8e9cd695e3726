# The sentence a courier reads when something goes wrong (core/src/error.rs, `Error::sentence`).
# Never a customer's data, a token or a developer's detail: those go to the log in English.

error-storage = The phone's storage failed. Restart the app and try again.
error-newer-version = This phone's data was written by a newer version of the app. Update the app.
error-corrupt = The data on this phone is damaged. It has been kept as it is; contact support.
error-wrong-key = The data on this phone cannot be opened. It has been kept as it is; sign in again or contact support.
error-task-not-found = Task { $task } is not on your list.
error-invalid-transition = Task { $task } ({ $status }): { $action } is not possible now.
error-blocked = Cannot { $what } yet: { $blockers }.
error-invalid-argument = That input cannot be used. Check it and try again.
error-offline = No connection to the server. Your actions are saved and will be sent when the network returns.
error-auth-required = Your sign-in has expired. Sign in again; your saved actions are kept.
error-server-busy = The server is busy. It will be tried again shortly.
error-server-busy-retry = The server is busy. It will be tried again in { $duration }.
error-server-refused = The server refused this (HTTP { $status }).
error-bad-response = The server's answer could not be read. Nothing was changed; it will be tried again.
error-protocol = Syncing with the server went wrong. Nothing was changed; contact support.

# After-sales cases.
error-case-not-found = Case { $case } is not on this phone.
error-case-settled = Case { $case } is { $status }: it takes no statement any more.
