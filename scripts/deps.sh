#!/bin/bash
# Installs the Debian packages the portal needs to build, run and test.
# Silent when everything is present; as root installs what is missing; otherwise
# names the missing packages and fails. Extra package names as arguments are needed too
# (make security-scan: sqlmap wapiti; make valgrind: valgrind).
set -eu

PACKAGES="build-essential pkg-config nginx-light postgresql-15 libfcgi-dev libsodium-dev
libhpdf-dev libcsv-dev libqrencode-dev libpq-dev fonts-dejavu-core poppler-utils qpdf
zbar-tools curl python3 wrk libssl-dev openssl libnss3-tools libcurl4-openssl-dev
python3-aiosmtpd"
PACKAGES="$PACKAGES $*"

CREATECLUSTER_CONF=/etc/postgresql-common/createcluster.conf

# Prints the packages of $PACKAGES that dpkg does not report as installed.
missing_packages() {
	local pkg status
	for pkg in $PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
		[ "$status" = installed ] || printf '%s\n' "$pkg"
	done
}

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# Debian's postgresql package creates and starts a system cluster (15/main on
# localhost:5432) unless createcluster.conf says otherwise. The portal never uses
# it (each stack runs its own cluster under $VAR), so switch that off before the
# server package is installed. The file belongs to postgresql-common (via ucf),
# hence: install postgresql-common first, then edit its file.
disable_main_cluster() {
	is_installed postgresql-common || apt_install postgresql-common
	if grep -Eq '^[[:space:]]*create_main_cluster[[:space:]]*=' "$CREATECLUSTER_CONF" 2>/dev/null; then
		sed -i -E 's/^[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
			"$CREATECLUSTER_CONF"
	else
		mkdir -p "$(dirname "$CREATECLUSTER_CONF")"
		printf '%s\n' "# Added by ESoNR scripts/deps.sh: the portal runs its own clusters." \
			"create_main_cluster = false" >>"$CREATECLUSTER_CONF"
	fi
}

# Belt and braces: if a system cluster came up anyway during this install, stop
# it and keep it from starting at boot; the portal must not depend on it.
stop_new_main_cluster() {
	[ -d /etc/postgresql/15/main ] || return 0
	[ "$had_main_cluster" = no ] || return 0
	if command -v pg_ctlcluster >/dev/null && pg_ctlcluster 15 main status >/dev/null 2>&1; then
		pg_ctlcluster 15 main stop || true
	fi
	echo manual >/etc/postgresql/15/main/start.conf
	echo "deps: stopped the system PostgreSQL cluster 15/main created by the package (not used)"
}

main() {
	local missing
	missing=$(missing_packages | tr '\n' ' ')
	missing=${missing% }
	[ -n "$missing" ] || exit 0

	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing Debian packages: $missing" >&2
		echo "deps: install them as root: apt-get install --no-install-recommends $missing" >&2
		exit 1
	fi

	echo "deps: installing missing Debian packages: $missing"
	had_main_cluster=no
	[ -d /etc/postgresql/15/main ] && had_main_cluster=yes
	apt-get update
	case " $missing " in
	*" postgresql-15 "*) disable_main_cluster ;;
	esac
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	apt_install $missing
	stop_new_main_cluster
}

main "$@"
