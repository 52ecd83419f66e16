; SPDX-License-Identifier: GPL-3.0-or-later
; The guest of tests/bench/console-bench.sh: one boot sector (nasm -f bin)
; that animates the whole VGA mode 13h screen (320x200, 256 colours) and
; answers keys.
;
; - The PIT is set to 60 Hz; on every tick the whole screen is rewritten
;   with a moving pattern, colour = ((x XOR y) + frame + offset) mod 256, so
;   every pixel changes from one frame to the next whatever the palette.
; - A 32x32 marker in the top-left corner is red (index 40) or green (48).
; - Every key read from the BIOS buffer flips the marker colour and adds 128
;   to the whole pattern's colours ("the screen changes colour"), and only
;   after the new marker is in video memory writes the key's ASCII code to
;   COM1. The benchmark times a key from its XTEST injection to that byte:
;   the moment the guest's own framebuffer shows the change.
; - The guest halts between interrupts, so a key is handled as soon as its
;   IRQ 1 arrives, not at the next frame; "R" on COM1 says it is running.
bits 16
org 0x7c00

TICK_HZ   equ 60
PIT_DIV   equ 1193182 / TICK_HZ
MARK_A    equ 40                ; red in the default VGA palette
MARK_B    equ 48                ; green
COM1      equ 0x3f8

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7c00
        cld
        mov     ax, 0x0013      ; 320x200, 256 colours
        int     0x10
        mov     al, 0x36        ; PIT channel 0, lo/hi, mode 3
        out     0x43, al
        mov     ax, PIT_DIV
        out     0x40, al
        mov     al, ah
        out     0x40, al
        mov     al, 'R'
        call    serial
        xor     bx, bx          ; bl: frame number, bh: colour offset (0/128)
        mov     si, [0x46c]     ; BIOS tick count seen last
        sti

main:
        hlt                     ; until the next interrupt (timer or key)
.keys:
        mov     ah, 1
        int     0x16            ; key waiting?
        jz      .tick
        xor     ah, ah
        int     0x16            ; al = ASCII
        xor     bh, 0x80
        push    ax
        call    marker
        pop     ax
        call    serial
        jmp     .keys
.tick:
        mov     ax, [0x46c]
        cmp     ax, si
        je      main
        mov     si, ax
        inc     bl
        call    draw
        call    marker
        jmp     main

; The full-screen pattern for frame bl.
draw:
        push    es
        mov     ax, 0xa000
        mov     es, ax
        xor     di, di
        xor     dx, dx          ; y
.row:
        xor     cx, cx          ; x
.col:
        mov     al, cl
        xor     al, dl
        add     al, bl
        add     al, bh
        stosb
        inc     cx
        cmp     cx, 320
        jb      .col
        inc     dx
        cmp     dx, 200
        jb      .row
        pop     es
        ret

; The 32x32 marker in the colour of state bh.
marker:
        push    es
        mov     ax, 0xa000
        mov     es, ax
        mov     al, MARK_A
        test    bh, bh
        jz      .m
        mov     al, MARK_B
.m:
        xor     di, di
        mov     dx, 32
.mrow:
        mov     cx, 32
        rep stosb
        add     di, 320 - 32
        dec     dx
        jnz     .mrow
        pop     es
        ret

; The byte in al to COM1 (QEMU's UART sends it without set-up).
serial:
        push    dx
        mov     dx, COM1
        out     dx, al
        pop     dx
        ret

        times   510 - ($ - $$) db 0
        dw      0xaa55
