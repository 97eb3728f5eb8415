# lab/images.sh: the root filesystems of the lab images, built from this
# host's own files (no registry).  Sourced by lab/mixlab (the two-daemon
# lab) and lab/hosts.sh (two daemons in network namespaces, a Swarm).
#
#   lab_image_tars DIR   writes DIR/{busybox,nginx,webapp}.tar
#   LAB_IMAGE_CHANGES    the Dockerfile lines each image is imported with

readonly TAR_OPTS=(--sort=name --mtime=@946684800 --owner=0 --group=0
	--numeric-owner --format=gnu)

rootfs_busybox() {
	local root=$1 bb
	mkdir -p "$root"/{bin,sbin,etc,root,tmp,proc,sys,dev,run,var/tmp,usr/bin,usr/sbin}
	chmod 1777 "$root/tmp" "$root/var/tmp"
	chmod 700 "$root/root"
	# busybox links every applet to its own resolved path (/usr/bin/busybox
	# on a merged-/usr host), so the binary goes at that path in the tree.
	/bin/busybox --install -s "$root/bin"
	bb=$(readlink "$root/bin/sh")
	mkdir -p "$root$(dirname "$bb")"
	cp /bin/busybox "$root$bb"
	cat >"$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		www-data:x:33:33:www-data:/var/www:/bin/false
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$root/etc/group" <<-'EOF'
		root:x:0:
		www-data:x:33:
		nogroup:x:65534:
	EOF
	cat >"$root/etc/nsswitch.conf" <<-'EOF'
		passwd: files
		group: files
		hosts: files dns
	EOF
}

# rootfs_nginx ROOT BASE: real nginx from Debian's nginx-light on a copy of
# the busybox tree BASE: the binary, every library ldd names at its own path
# (the loader too), mime.types, and the directories its compiled-in paths
# expect.
rootfs_nginx() {
	local root=$1 lib
	cp -a "$2/." "$root"
	mkdir -p "$root/usr/sbin" "$root/etc/nginx/conf.d" \
		"$root/usr/share/nginx/html" "$root/usr/lib/nginx/modules" \
		"$root/var/log/nginx" "$root/var/lock" \
		"$root"/var/lib/nginx/{body,fastcgi,proxy,scgi,uwsgi}
	cp -L /usr/sbin/nginx "$root/usr/sbin/nginx"
	for lib in $(ldd /usr/sbin/nginx |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	cp /etc/nginx/mime.types "$root/etc/nginx/mime.types"
	ln -s /dev/stdout "$root/var/log/nginx/access.log"
	ln -s /dev/stderr "$root/var/log/nginx/error.log"
	cat >"$root/etc/nginx/nginx.conf" <<-'EOF'
		# local/nginx:lab default configuration; a compose file may
		# bind-mount its own over this file or into conf.d/.
		user root;
		worker_processes 1;
		error_log /dev/stderr notice;
		pid /run/nginx.pid;
		events {
			worker_connections 256;
		}
		http {
			include /etc/nginx/mime.types;
			default_type application/octet-stream;
			access_log /dev/stdout;
			sendfile on;
			include /etc/nginx/conf.d/*.conf;
		}
	EOF
	cat >"$root/etc/nginx/conf.d/default.conf" <<-'EOF'
		server {
			listen 80 default_server;
			root /usr/share/nginx/html;
			index index.html;
		}
	EOF
	printf '<!DOCTYPE html>\n<title>local/nginx:lab</title>\n<p>nginx on the mixcompose lab</p>\n' \
		>"$root/usr/share/nginx/html/index.html"
}

# rootfs_webapp ROOT BASE: the stand-in for the ASP.NET service on a copy of
# BASE: busybox httpd on port 8080 whose index CGI reports the service, host
# name, platform and addresses, and logs each request to stderr.
rootfs_webapp() {
	local root=$1
	cp -a "$2/." "$root"
	mkdir -p "$root/www/cgi-bin" "$root/app"
	cat >"$root/www/cgi-bin/index.cgi" <<-'EOF'
		#!/bin/sh
		# GET / of local/webapp:lab (busybox httpd runs it for "/").
		svc=${SERVICE_NAME:-${MIXCOMPOSE_SERVICE:-webapp}}
		addrs=$(ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4 }' | tr '\n' ' ')
		printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
		printf 'mixcompose lab webapp\n'
		printf 'service: %s\n' "$svc"
		printf 'hostname: %s\n' "$(hostname)"
		printf 'platform: %s\n' "${PLATFORM:-unknown}"
		printf 'addresses: %s\n' "${addrs% }"
		printf 'kernel: %s\n' "$(uname -sm)"
		printf 'webapp: %s %s %s\n' "${REMOTE_ADDR:-?}" "${REQUEST_METHOD:-?}" \
			"${REQUEST_URI:-/}" >&2
	EOF
	chmod 755 "$root/www/cgi-bin/index.cgi"
	printf 'ok\n' >"$root/www/healthz"
	cat >"$root/app/run.sh" <<-'EOF'
		#!/bin/sh
		# PID 1 of local/webapp:lab: a shell that turns SIGTERM into a
		# prompt exit, which httpd as PID 1 would ignore.
		echo "webapp: service ${SERVICE_NAME:-${MIXCOMPOSE_SERVICE:-webapp}} listening on port ${PORT:-8080}"
		httpd -f -p "${PORT:-8080}" -h /www &
		pid=$!
		trap 'kill "$pid" 2>/dev/null; exit 0' TERM INT
		wait "$pid"
	EOF
	chmod 755 "$root/app/run.sh"
}

# The import changes of each image, '|' between two lines.
declare -A LAB_IMAGE_CHANGES=(
	[busybox]='CMD ["sh"]'
	[nginx]='CMD ["nginx", "-g", "daemon off;"]|EXPOSE 80/tcp'
	[webapp]='CMD ["/app/run.sh"]|EXPOSE 8080/tcp|ENV PORT=8080'
)

# lab_image_tars DIR: builds the three trees in DIR and tars each one to
# DIR/NAME.tar, byte for byte the same on every run (sorted, fixed times and
# owners), so that a hash of the tar tells whether an image changed.
lab_image_tars() {
	local dir=$1 img
	for img in busybox nginx webapp; do
		# nginx and webapp start from a copy of the busybox tree.
		(umask 022 && "rootfs_$img" "$dir/$img" "$dir/busybox")
		tar "${TAR_OPTS[@]}" -C "$dir/$img" -cf "$dir/$img.tar" .
	done
}
