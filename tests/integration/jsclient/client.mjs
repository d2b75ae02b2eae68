// One Matrix user on matrix-js-sdk with its Rust crypto (as Element Web runs it), driven by
// Sotong's integration tests: one JSON command per line on stdin, one answer per command on
// stdout as a line "@@ {json}" (the SDK's own logging goes to stderr).
import readline from "node:readline";

import * as sdk from "matrix-js-sdk";
import { OnlySignedDevicesIsolationMode, decodeRecoveryKey } from "matrix-js-sdk/lib/crypto-api/index.js";
import { logger } from "matrix-js-sdk/lib/logger.js";

for (const method of ["log", "info", "debug", "warn", "trace"]) {
  console[method] = (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
}
logger.setLevel("warn");

const state = { client: null, password: null, toDevice: [] };

function answer(value) {
  process.stdout.write("@@ " + JSON.stringify(value) + "\n");
}

async function until(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function login({ homeserver, user, password, device_name, recovery_key }) {
  const bare = sdk.createClient({ baseUrl: homeserver });
  const session = await bare.loginRequest({
    type: "m.login.password",
    identifier: { type: "m.id.user", user },
    password,
    initial_device_display_name: device_name,
  });
  const client = sdk.createClient({
    baseUrl: homeserver,
    userId: session.user_id,
    accessToken: session.access_token,
    deviceId: session.device_id,
    cryptoCallbacks: {
      // As Element asks a person for their recovery key when secret storage is opened.
      getSecretStorageKey: async ({ keys }) => {
        if (!recovery_key) return null;
        return [Object.keys(keys)[0], decodeRecoveryKey(recovery_key)];
      },
    },
  });
  await client.initRustCrypto({ useIndexedDB: false });
  client.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
    state.toDevice.push({ type: event.getType(), content: event.getContent() });
  });
  Object.assign(state, { client, password });
  await client.startClient({ initialSyncLimit: 20 });
  await until("the first sync", () => client.isInitialSyncComplete());
  return { user_id: session.user_id, device_id: session.device_id };
}

async function crossSign() {
  const { client, password } = state;
  const crypto = client.getCrypto();
  await crypto.bootstrapCrossSigning({
    setupNewCrossSigning: true,
    authUploadDeviceSigningKeys: async (makeRequest) => {
      const identifier = { type: "m.id.user", user: client.getUserId() };
      await makeRequest({ type: "m.login.password", identifier, password });
    },
  });
  const status = await until("this device to be cross-signed", async () => {
    const found = await crypto.getDeviceVerificationStatus(client.getUserId(), client.getDeviceId());
    return found?.signedByOwner ? found : null;
  });
  return { signed_by_owner: status.signedByOwner };
}

async function openSecretStorage() {
  // What Element does when a person logs in and enters the recovery key: the cross-signing
  // keys come out of secret storage and sign this new device.
  const { client } = state;
  const crypto = client.getCrypto();
  await crypto.bootstrapCrossSigning({});
  const status = await crypto.getCrossSigningStatus();
  const device = await until("this device to be signed", async () => {
    const found = await crypto.getDeviceVerificationStatus(client.getUserId(), client.getDeviceId());
    return found?.signedByOwner ? found : null;
  });
  const master = (await crypto.getCrossSigningKeyId()) ?? null;
  return {
    ready: await crypto.isCrossSigningReady(),
    in_secret_storage: status.privateKeysInSecretStorage,
    master_key: master,
    signed_by_owner: device.signedByOwner,
  };
}

function excludeInsecureDevices() {
  state.client.getCrypto().setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());
  return { isolation: "only-signed-devices" };
}

async function createRoom({ name, invite }) {
  const initial_state = [
    { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
  ];
  const { room_id } = await state.client.createRoom({ name, invite, initial_state });
  return { room_id };
}

async function join({ room_id }) {
  await state.client.joinRoom(room_id);
  await until("the joined room", () => state.client.getRoom(room_id));
  return { room_id };
}

async function waitMember({ room_id, user_id }) {
  await until(`${user_id} to join`, () => {
    const member = state.client.getRoom(room_id)?.getMember(user_id);
    return member?.membership === "join";
  });
  return { joined: true };
}

async function deviceOf({ user_id }) {
  const crypto = state.client.getCrypto();
  const devices = await crypto.getUserDeviceInfo([user_id], true);
  const found = [];
  for (const device of devices.get(user_id)?.values() ?? []) {
    const status = await crypto.getDeviceVerificationStatus(user_id, device.deviceId);
    found.push({ device_id: device.deviceId, signed_by_owner: Boolean(status?.signedByOwner) });
  }
  return { devices: found };
}

function eventsFrom(room_id, sender) {
  const room = state.client.getRoom(room_id);
  return (room?.getLiveTimeline().getEvents() ?? []).filter((e) => e.getSender() === sender);
}

async function describe(event) {
  await state.client.decryptEventIfNeeded(event);
  const info = event.isDecryptionFailure()
    ? null
    : await state.client.getCrypto().getEncryptionInfoForEvent(event);
  const shields = ["NONE", "GREY", "RED"];
  return {
    event_id: event.getId(),
    encrypted: event.isEncrypted(),
    decrypted: !event.isDecryptionFailure(),
    failure: event.decryptionFailureReason ?? null,
    body: event.isDecryptionFailure() ? null : (event.getContent().body ?? null),
    reply_to: event.getContent()["m.relates_to"]?.["m.in_reply_to"]?.event_id ?? null,
    session_id: event.getWireContent().session_id ?? null,
    shield: info ? shields[info.shieldColour] : null,
    shield_reason: info?.shieldReason ?? null,
  };
}

async function ask({ room_id, body, bot }) {
  const { event_id } = await state.client.sendMessage(room_id, { msgtype: "m.text", body });
  const reply = await until(`the bot's reply to ${body}`, async () => {
    for (const event of eventsFrom(room_id, bot)) {
      const seen = await describe(event);
      if (seen.reply_to === event_id) return seen;
    }
    return null;
  });
  return { asked: event_id, reply };
}

async function unreadable({ room_id, bot, after }) {
  // The bot's first event after `after` (an event id from ask), and the withheld notices
  // this device got for its session.
  const event = await until("an event from the bot", async () => {
    const events = eventsFrom(room_id, bot);
    const index = after ? events.findIndex((e) => e.getId() === after) : -1;
    return events.slice(index + 1).find((e) => e.isEncrypted()) ?? null;
  });
  const session_id = event.getWireContent().session_id;
  const withheld = await until("a withheld notice", () => {
    const found = state.toDevice.filter(
      (e) => e.type === "m.room_key.withheld" && e.content.session_id === session_id,
    );
    return found.length ? found : null;
  });
  const seen = await until("the decryption failure reason", async () => {
    const described = await describe(event);
    return described.failure === "MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE" ? described : null;
  }).catch(() => describe(event));
  return { event: seen, withheld: withheld.map((e) => e.content) };
}

async function stop() {
  state.client?.stopClient();
  return { stopped: true };
}

const commands = {
  login,
  cross_sign: crossSign,
  open_secret_storage: openSecretStorage,
  exclude_insecure_devices: excludeInsecureDevices,
  create_room: createRoom,
  join,
  wait_member: waitMember,
  devices: deviceOf,
  ask,
  unreadable,
  stop,
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { command, ...args } = JSON.parse(line);
  try {
    answer({ ok: await commands[command](args) });
  } catch (error) {
    answer({ error: String(error?.stack ?? error) });
  }
  if (command === "stop") break;
}
process.exit(0);
