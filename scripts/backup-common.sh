# Shared by backup.sh and restore.sh (sourced, not run): the same settings as the portal, and PostgreSQL
# connections that never put a password on a command line or in any output.

BASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# The portal reads these from the environment or, failing that, from .env in the project root (django-environ).
env_or_dotenv() {
    local name="$1" default="$2" line value
    if [[ -n "${!name:-}" ]]; then
        printf '%s' "${!name}"
        return
    fi
    if [[ -f "$BASE_DIR/.env" ]]; then
        line="$(grep -E "^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=" "$BASE_DIR/.env" | tail -n 1 || true)"
        if [[ -n "$line" ]]; then
            value="${line#*=}"
            value="${value#"${value%%[![:space:]]*}"}"
            value="${value%"${value##*[![:space:]]}"}"
            if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
                value="${BASH_REMATCH[1]}"
            fi
            printf '%s' "$value"
            return
        fi
    fi
    printf '%s' "$default"
}

percent_decode() {
    local text="${1//\\/\\\\}"
    printf '%b' "${text//%/\\x}"
}

# Splits a DATABASE_URL (postgres://user:password@host:port/name?options, as django-environ reads it) into:
#   PG_URI       a libpq URI without the password, for --dbname of every client tool
#   PG_SAFE_URI  the same, for printing
#   PG_DBNAME    the database name
#   PGPASSWORD   exported when the URL holds a password, so libpq reads it from the environment
# A plain name instead of a URL means "this database on the server of DATABASE_URL".
pg_target() {
    local url="$1" scheme rest netloc tail path query userinfo hostport user="" password="" params=()
    if [[ "$url" != *://* ]]; then
        [[ -n "$url" ]] || die "no database given"
        local server
        server="$(env_or_dotenv DATABASE_URL "postgres://postgres@127.0.0.1:5432/isimedia")"
        pg_target "$server"
        PG_DBNAME="$url"
        _pg_build "$(percent_decode "${PG_USER}")" "$PG_HOSTPORT" "$url" "$PG_QUERY"
        return
    fi
    scheme="${url%%://*}"
    case "$scheme" in
        postgres | postgresql | pgsql | psql) ;;
        *) die "DATABASE_URL must be a PostgreSQL URL (postgres://...), not $scheme://" ;;
    esac
    rest="${url#*://}"
    netloc="${rest%%[/?]*}"
    tail="${rest:${#netloc}}"
    path="${tail%%\?*}"
    query="${tail:${#path}}"
    if [[ "$netloc" == *@* ]]; then
        userinfo="${netloc%@*}"
        hostport="${netloc##*@}"
        user="${userinfo%%:*}"
        if [[ "$userinfo" == *:* ]]; then
            password="${userinfo#*:}"
        fi
    else
        hostport="$netloc"
    fi
    if [[ -n "$password" ]]; then
        PGPASSWORD="$(percent_decode "$password")"
        export PGPASSWORD
    fi
    # A password may also come as ?password=...: it goes the same way, out of the URI.
    local param kept=()
    if [[ -n "$query" ]]; then
        IFS='&' read -r -a params <<< "${query#\?}"
        for param in "${params[@]}"; do
            if [[ "$param" == password=* ]]; then
                PGPASSWORD="$(percent_decode "${param#password=}")"
                export PGPASSWORD
            elif [[ -n "$param" ]]; then
                kept+=("$param")
            fi
        done
        query=""
        if [[ ${#kept[@]} -gt 0 ]]; then
            query="?$(IFS='&' && echo "${kept[*]}")"
        fi
    fi
    PG_USER="$user"
    PG_HOSTPORT="$hostport"
    PG_QUERY="$query"
    PG_DBNAME="$(percent_decode "${path#/}")"
    [[ -n "$PG_DBNAME" ]] || die "DATABASE_URL names no database"
    _pg_build "$(percent_decode "$user")" "$hostport" "$PG_DBNAME" "$query"
}

_pg_build() {
    local user="$1" hostport="$2" dbname="$3" query="$4" auth=""
    if [[ -n "$user" ]]; then
        auth="$(_pg_encode "$user")@"
    fi
    PG_URI="postgresql://${auth}${hostport}/$(_pg_encode "$dbname")${query}"
    PG_SAFE_URI="$PG_URI"
}

# Percent-encodes everything but unreserved characters, so a name or user with odd characters survives the URI.
_pg_encode() {
    # Byte by byte, so a UTF-8 character becomes its bytes' escapes.
    local LC_ALL=C text="$1" out="" char i
    for ((i = 0; i < ${#text}; i++)); do
        char="${text:i:1}"
        case "$char" in
            [A-Za-z0-9._~-]) out+="$char" ;;
            *) out+="$(printf '%%%02X' "'$char")" ;;
        esac
    done
    printf '%s' "$out"
}

# The URI of another database on the same server (the maintenance database "postgres", to create one).
pg_uri_for() {
    local user="" dbname="$1"
    if [[ -n "$PG_USER" ]]; then
        user="$(_pg_encode "$(percent_decode "$PG_USER")")@"
    fi
    printf 'postgresql://%s%s/%s%s' "$user" "$PG_HOSTPORT" "$(_pg_encode "$dbname")" "$PG_QUERY"
}

psql_value() {
    psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 "$@"
}

for tool in pg_dump pg_restore psql tar sha256sum; do
    command -v "$tool" > /dev/null || die "$tool is not installed (Debian: postgresql-client, tar, coreutils)"
done
