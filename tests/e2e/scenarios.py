"""The e2e scenario table: what runs, in which order, and what depends on what.

Scenarios run in table order against one echod with a fresh data dir. The
`echod_restart` scenario stops echod with SIGTERM and starts it again on the same
ports and data dir; the `*_resume` scenarios after it reuse auth keys saved by the
signups before it. Selecting one scenario (`--only`) pulls in its dependencies.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

# Telethon transports, each getting its own signup (and phone).
TELETHON_TRANSPORTS = ("full", "abridged", "intermediate", "obfuscated")
# The Telethon signup whose account the login and resume scenarios reuse.
TELETHON_BASE = "telethon_signup_full"


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # "client" | "garbage" | "restart"
    description: str
    client: str = ""  # telethon | pyrofork | kurigram
    phase: str = ""  # signup | login | resume
    transport: str = ""  # Telethon only
    phone_slot: int = 0  # which phone of this run (see phone_for)
    session_of: str = ""  # scenario whose session file this one uses
    depends: tuple = field(default_factory=tuple)  # must have passed
    after: tuple = field(default_factory=tuple)  # must have run (ordering only)
    script: str = ""  # file in clients/ to run instead of the client's default flow
    # Per-scenario timeout floor (seconds): grammers builds itself first (minutes when cold).
    min_timeout: float = 0.0
    # Split deployment only: the role the runner SIGKILLs and restarts once the client
    # prints "TRAFFIC STARTED" (under `echod run` the scenario runs without it).
    restart_role: str = ""


def _telethon_signups():
    for slot, transport in enumerate(TELETHON_TRANSPORTS, start=1):
        name = f"telethon_signup_{transport}"
        yield Scenario(name, "client", f"Telethon over {transport}: new key, sendCode, signIn -> "
                       "signUp, getMe, send+read Saved Messages, dialogs",
                       client="telethon", phase="signup", transport=transport,
                       phone_slot=slot, session_of=name)


def _pyrogram_fork(client, slot):
    signup = f"{client}_signup"
    yield Scenario(signup, "client", f"{client}: new key, sendCode, signIn -> signUp, getMe, "
                   "send+read Saved Messages, dialogs, export session string",
                   client=client, phase="signup", phone_slot=slot, session_of=signup)
    yield Scenario(f"{client}_login", "client", f"{client}: new key, log in as the signup "
                   "phone (same user id), read the signup message back",
                   client=client, phase="login", phone_slot=slot, session_of=signup,
                   depends=(signup,))


def _contacts():
    """Multi-account contacts scenarios; each script signs up its own three users."""
    story = ("import a registered and an unregistered phone, the latter signs up and shows "
             "in getContacts; username resolve; block/unblock/getBlocked; forged access hash "
             "USER_ID_INVALID; phone privacy disallowAll hides the phone")
    yield Scenario("telethon_contacts", "client", f"Telethon, three accounts: {story}",
                   client="telethon", phase="signup", transport="full", phone_slot=8,
                   session_of="telethon_contacts", script="contacts_telethon.py")
    yield Scenario("pyrofork_contacts", "client", f"Pyrofork (layer 220), three accounts: "
                   f"{story}", client="pyrofork", phase="signup", phone_slot=9,
                   session_of="pyrofork_contacts", script="contacts_pyrofork.py")
    yield Scenario("kurigram_contacts", "client", f"Kurigram (layer 229), three accounts: "
                   f"{story}", client="kurigram", phase="signup", phone_slot=0,
                   session_of="kurigram_contacts", script="contacts_kurigram.py")


def _admin():
    """Admin HTTP API and `echod client-config` (issue 9); phones use their own 99967 prefix."""
    yield Scenario("admin_ban_telethon", "client", "admin API: provision a user, log in with the "
                   "admin-read code, list authorizations; ban closes the live Telethon "
                   "connection and logs it out, a fresh client gets PHONE_NUMBER_BANNED; unban, "
                   "log in, terminate all authorizations", client="telethon", phase="signup",
                   transport="abridged", phone_slot=3, session_of="admin_ban_telethon",
                   script="admin_telethon.py")
    yield Scenario("client_config_telethon", "client", "`echod client-config`: the report shows "
                   "the server's fingerprint and every client section; the printed Telethon "
                   "snippet runs and reaches this server (help.getConfig)", client="telethon",
                   phase="signup", transport="full", phone_slot=4,
                   session_of="client_config_telethon", script="client_config_telethon.py")


def _messaging():
    """Private chats between several live clients (issue 4); phones use 9998x prefixes."""
    yield Scenario("telethon_messaging", "client", "Telethon, Ann + Bob on two devices: import "
                   "and message, live on both devices, dialogs/history, read receipt, edit and "
                   "revoke live and on re-fetch, own message on the other device, 120 messages "
                   "caught up offline via getDifference slices", client="telethon",
                   phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_messaging", script="messaging_telethon.py")
    yield Scenario("pyrofork_telethon_messaging", "client", "Pyrofork (layer 220) Ann and a "
                   "Telethon (layer 229) Bob in a subprocess message each other live",
                   client="pyrofork", phase="signup", phone_slot=2,
                   session_of="pyrofork_telethon_messaging", script="messaging_pyrofork.py")
    yield Scenario("telethon_basic_group", "client", "Telethon, Ann + Bob + Carol: createChat, "
                   "messages from two members live for all and in history/dialogs, rename "
                   "live, getFullChat, kick Carol: CHAT_WRITE_FORBIDDEN and no new messages; "
                   "addChatUser brings her back",
                   client="telethon", phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_basic_group", script="groups_telethon.py")
    yield Scenario("telethon_megagroup", "client", "Telethon, Ann + Bob: createChannel "
                   "(megagroup), inviteToChannel, both post and get each other's message live, "
                   "history, readHistory, dialogs, getParticipants; Bob offline while Ann posts "
                   "20 and catches up with getChannelDifference", client="telethon",
                   phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_megagroup", script="megagroup_telethon.py")
    yield Scenario("telethon_broadcast", "client", "Telethon, Ann + Bob: createChannel "
                   "(broadcast), Bob added as subscriber, the post reaches him live as a "
                   "channel post; Ann's channels.editPhoto reaches him live, shows on the channel "
                   "and downloads (download_profile_photo); a photo post reaches him live and "
                   "downloads; his own post: CHAT_ADMIN_REQUIRED", client="telethon",
                   phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_broadcast", script="broadcast_telethon.py")
    yield Scenario("telethon_public_channel", "client", "Telethon, Ann + Bob: a broadcast "
                   "with a username and 20 posts; Bob resolves it, reads it as an outsider, "
                   "joins, reads the posts via history and getChannelDifference, gets a t.me "
                   "link; an invite link to a private megagroup is checked, imported, revoked",
                   client="telethon", phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_public_channel", script="public_channel_telethon.py")
    yield Scenario("telethon_channel_admin", "client", "Telethon, Ann + Bob + Carol: "
                   "megagroup; Bob deletes Carol's message only once Ann promotes him "
                   "(editAdmin), promoting without add_admins: CHAT_ADMIN_REQUIRED; Ann bans "
                   "Carol (editBanned view_messages): her post and history answer "
                   "CHANNEL_PRIVATE; slow mode: Bob's second post SLOWMODE_WAIT_X; Ann's pin "
                   "reaches Bob live and shows as pinned_msg_id", client="telethon",
                   phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_channel_admin", script="channel_admin_telethon.py")
    yield Scenario("telethon_migrate_chat", "client", "Telethon, Ann + Bob: a basic group "
                   "with posts both ways is migrated (messages.migrateChat): Bob gets the "
                   "migrate-to and migrate-from notices live, the old group shows deactivated "
                   "with migrated_to and its history stays readable, getFullChannel has "
                   "migrated_from_chat_id/max_id, a post to the old group is refused, posts in "
                   "the supergroup go both ways live", client="telethon", phase="signup",
                   transport="full", phone_slot=2, session_of="telethon_migrate_chat",
                   script="migrate_chat_telethon.py")
    yield Scenario("pyrofork_megagroup", "client", "Pyrofork (layer 220), Ann + Bob + Carol: "
                   "create_supergroup, invite link joined by Bob and Carol (importChatInvite), "
                   "posts both ways live, get_chat_members, Ann promotes Bob (editAdmin), "
                   "Carol's ban attempt refused, Bob bans Carol: she can neither post nor read, "
                   "banned filter lists her", client="pyrofork", phase="signup", phone_slot=2,
                   session_of="pyrofork_megagroup", script="megagroup_pyrofork.py")
    yield Scenario("kurigram_megagroup", "client", "Kurigram (layer 229): the pyrofork_megagroup "
                   "story", client="kurigram", phase="signup", phone_slot=2,
                   session_of="kurigram_megagroup", script="megagroup_kurigram.py")


def _security():
    """Account security (issue 6): cloud password, QR login, sessions, code flood limit."""
    yield Scenario("telethon_2fa", "client", "Telethon (computes SRP itself): enable a "
                   "password, log in on a new key (code -> SESSION_PASSWORD_NEEDED, wrong "
                   "password -> PASSWORD_HASH_INVALID, right password), change it (old fails, "
                   "new works), remove it (code alone works)", client="telethon",
                   phase="signup", transport="full", phone_slot=13, session_of="telethon_2fa",
                   script="twofa_telethon.py")
    yield Scenario("telethon_qr_sessions", "client", "Telethon, two devices: B exports a "
                   "login token, A accepts it, B is woken by updateLoginToken and logged in; A "
                   "gets 'New login' from 777000, lists two authorizations, terminates B; B's "
                   "next call is 401 AUTH_KEY_UNREGISTERED", client="telethon",
                   phase="signup", transport="full", phone_slot=13,
                   session_of="telethon_qr_sessions", script="qr_sessions_telethon.py")
    yield Scenario("telethon_code_flood", "client", "Telethon: wrong login codes answer "
                   "PHONE_CODE_INVALID, then FLOOD_WAIT_X; then even the right code waits",
                   client="telethon", phase="signup", transport="full", phone_slot=13,
                   session_of="telethon_code_flood", script="code_flood_telethon.py")


def _media():
    """Uploads, photos, documents and profile photos (issue 8); phones 99988..99991."""
    yield Scenario("telethon_media", "client", "Telethon, Ann + Bob: 1024x768 photo live with "
                   "sizes s/m/x/y + stripped, downloaded at 1024x768 and as the m thumbnail; "
                   "100 KiB and 12 MiB (saveBigFilePart) documents byte-exact with names; "
                   "re-send by id, forged file reference and access hash refused; 3-photo album via "
                   "uploadMedia + sendMultiMedia arrives as one events.Album (one grouped_id); "
                   "profile photo reaches Bob live (updateUser) and is seen by him (getUsers, "
                   "get_entity, getUserPhotos, download), deletePhotos live too",
                   client="telethon",
                   phase="signup", transport="full", phone_slot=2,
                   session_of="telethon_media", script="media_telethon.py", min_timeout=300.0)
    yield Scenario("pyrofork_media", "client", "Pyrofork (layer 220): send_photo and "
                   "send_document to Saved Messages, download both (photo 1024x768 JPEG, "
                   "document byte-exact with its name); a 3-photo album (uploadMedia + "
                   "sendMultiMedia) with one grouped_id / media_group_id", client="pyrofork", phase="signup",
                   phone_slot=2, session_of="pyrofork_media", script="media_pyrofork.py")
    yield Scenario("telethon_media_big", "client", "Telethon: a 200 MiB document (generated "
                   "at test time) up to Saved Messages and back, SHA-256 equal; echod's RSS "
                   "sampled during both transfers grows by well under the file size; prints "
                   "throughput and peak RSS", client="telethon", phase="signup",
                   transport="full", phone_slot=2, session_of="telethon_media_big",
                   script="media_big_telethon.py", min_timeout=900.0)


def _tdlib():
    """TDLib (layer 232) over its MTProxy route, with Echo's key swapped into a copy of libtdjson."""
    yield Scenario("tdlib_signup", "client", "TDLib via MTProxy secret: new key, sendCode, "
                   "registerUser, getMe, send+read Saved Messages", client="tdlib",
                   phase="signup", phone_slot=11, session_of="tdlib_signup")
    yield Scenario("tdlib_login", "client", "TDLib: new key, log in as the signup phone (same "
                   "user id), send+read Saved Messages", client="tdlib", phase="login",
                   phone_slot=11, session_of="tdlib_signup", depends=("tdlib_signup",))


def _grammers():
    """grammers 0.11 (Rust, layer 230), built at test time against a patched grammers-mtproto."""
    yield Scenario("grammers_signup", "client", "grammers (Rust, layer 230; cargo build with "
                   "Echo's key patched in): new key, sendCode, signIn -> signUp, getMe, "
                   "send+read Saved Messages", client="grammers", phase="signup",
                   phone_slot=12, session_of="grammers_signup", min_timeout=1200.0)
    yield Scenario("grammers_login", "client", "grammers: new key, log in as the signup phone "
                   "(same user id), send+read Saved Messages", client="grammers",
                   phase="login", phone_slot=12, session_of="grammers_signup",
                   depends=("grammers_signup",), min_timeout=300.0)


def build_scenarios():
    table = list(_telethon_signups())
    table.append(Scenario("telethon_login", "client", "Telethon (full): new key, log in as the "
                          "full-transport signup phone, same user id, read its message back",
                          client="telethon", phase="login", transport="full",
                          phone_slot=1, session_of=TELETHON_BASE, depends=(TELETHON_BASE,)))
    table += list(_pyrogram_fork("pyrofork", 5))
    table += list(_pyrogram_fork("kurigram", 6))
    table += list(_tdlib())
    table += list(_grammers())
    table += list(_contacts())
    table += list(_admin())
    table += list(_messaging())
    table += list(_security())
    table.append(Scenario("sync_restart_traffic", "client", "Telethon Ann (gateway 1) sends 60 "
                          "messages to Bob (gateway 2); split deployment: the sync process is "
                          "SIGKILLed and restarted mid-burst; Bob gets every message live exactly "
                          "once, history has all 60, pts moved by 60", client="telethon",
                          phase="signup", transport="full", phone_slot=14,
                          session_of="sync_restart_traffic", script="traffic_restart_telethon.py",
                          restart_role="sync"))
    table += list(_media())
    table.append(Scenario("garbage_during_login", "garbage", "Telethon signup (abridged) while "
                          "20 concurrent connections send garbage; server stays up, /healthz OK",
                          client="telethon", phase="signup", transport="abridged",
                          phone_slot=7, session_of="garbage_during_login"))
    restart_after = tuple(s.name for s in table)
    table.append(Scenario("echod_restart", "restart", "SIGTERM: echod exits 0 within 10 s; "
                          "starts again on the same data dir and ports", after=restart_after))
    resumes = (("telethon", TELETHON_BASE, "full"), ("pyrofork", "pyrofork_signup", ""),
               ("kurigram", "kurigram_signup", ""), ("tdlib", "tdlib_signup", ""),
               ("grammers", "grammers_signup", ""))
    for client, signup, transport in resumes:
        slot = next(s.phone_slot for s in table if s.name == signup)
        table.append(Scenario(f"{client}_resume", "client", f"{client}: after the restart, the "
                              "signup's saved auth key is still authorized; getMe, old message "
                              "still there, send+read", client=client, phase="resume",
                              transport=transport, phone_slot=slot, session_of=signup,
                              depends=(signup,), after=("echod_restart",)))
    return table


def select(table, only):
    """`only` plus everything it depends on or must run after, in table order."""
    by_name = {s.name: s for s in table}
    if only not in by_name:
        raise KeyError(only)
    wanted = set()
    pending = [only]
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        scenario = by_name[name]
        pending.extend(scenario.depends)
        # Ordering-only predecessors matter just for the restart before a resume.
        if scenario.kind == "client" and scenario.phase == "resume":
            pending.extend(scenario.after)
    return [s for s in table if s.name in wanted]


def shared_phone_prefixes(clients_dir):
    """Phone prefixes ("999NN") written in more than one client script.

    Scripts that sign up extra accounts swap the first five digits of their slot's phone for a
    prefix of their own; many scenarios share a slot, so two scripts with the same prefix sign
    up the same number and the second finds an existing account. Each prefix belongs to one
    script (99966 is the slots' own prefix).
    """
    owners = {}
    for script in sorted(Path(clients_dir).glob("*.py")):
        for prefix in set(re.findall(r'"(999\d\d)"', script.read_text())):
            owners.setdefault(prefix, []).append(script.name)
    return {p: names for p, names in owners.items() if len(names) > 1 and p != "99966"}


def phone_for(run_tag, slot):
    """Test numbers in the 999 66 X XXXX style: slot digit + a per-run 4-digit tag."""
    return f"99966{slot}{run_tag:04d}"
