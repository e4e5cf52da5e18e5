# language: it
@checkout @browser @simulatore
Funzionalità: Pagamento sul checkout pagoPA in un browser vero
  Il cittadino usa Chromium come farebbe a casa: dall'Area Personale clicca "Paga
  online" sulla sua pratica, il proxy lo porta sul checkout pagoPA, il cittadino
  compila le pagine (email, metodo di pagamento, dati della carta, riepilogo), vede
  l'esito e torna alla pagina della pratica. Ogni pagina è fotografata e allegata al
  report. Sui simulatori soltanto: il checkout di test di pagoPA ha pagine diverse.

  Scenario: il cittadino paga dall'Area Personale e la pratica risulta pagata
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga nel browser dall'Area Personale con la carta "4242 4242 4242 4242"
    Allora il browser mostra l'esito "OK" del checkout
    E il browser è passato per le pagine del checkout fino all'esito
    E il browser torna alla pagina della pratica sulla piattaforma
    E la pagina della pratica nel browser mostra lo stato COMPLETE
    E il pagamento passa in stato COMPLETE

  Scenario: il cittadino annulla sul checkout e può ancora pagare dall'Area Personale
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino annulla il pagamento nel browser
    Allora il browser mostra l'esito "CANCELED" del checkout
    E il browser torna alla pagina della pratica sulla piattaforma
    E il pagamento non risulta pagato
    E l'Area Personale offre ancora "Paga online" per quella pratica

  Scenario: una carta rifiutata è spiegata al cittadino e il pagamento resta da fare
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga nel browser dall'Area Personale con la carta "4000 0000 0000 0002"
    Allora il browser mostra l'esito "KO" del checkout
    E il checkout spiega che la carta è stata rifiutata
    E il browser torna alla pagina della pratica sulla piattaforma
    E il pagamento non risulta pagato

  Scenario: la schermata della carta va in errore e nulla è addebitato
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando il cittadino paga nel browser dall'Area Personale con la carta "4000 0000 0000 9995"
    Allora il browser mostra l'esito "ERROR" del checkout
    E il browser resta sulla pagina d'errore del checkout
    E il pagamento non risulta pagato
